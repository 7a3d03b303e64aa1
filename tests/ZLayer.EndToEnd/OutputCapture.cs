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

    /// <summary>Collects output as it arrives, without waiting for a line to end: a prompt has none.</summary>
    public static async Task PumpAsItComes(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
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
