using System.Text;

namespace ZLayer.EndToEnd;

/// <summary>Collects a long-running command's output as it comes, for tests that watch it while it runs.</summary>
public static class OutputCapture
{
    public static async Task Pump(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }
        }
    }

    public static string Snapshot(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}
