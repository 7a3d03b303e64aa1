using System.Text;

namespace ZLayer.Runtime.Tests;

/// <summary>Reads a stream to its end in the background, so a test can wait for what has arrived so far.</summary>
internal sealed class StreamCapture
{
    private readonly StringBuilder _text = new();
    private readonly Task _pump;

    public StreamCapture(Stream stream)
    {
        _pump = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            var decoder = Encoding.UTF8.GetDecoder();
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                var count = decoder.GetChars(buffer, 0, read, chars, 0);
                lock (_text)
                {
                    _text.Append(chars, 0, count);
                }
            }
        });
    }

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public Task UntilContainsAsync(string expected) =>
        Poll.UntilAsync(() => Text.Contains(expected, StringComparison.Ordinal), $"output containing '{expected}' (so far: '{Text}')");

    /// <summary>Everything, once the stream has ended.</summary>
    public async Task<string> EndAsync()
    {
        await _pump.WaitAsync(Poll.DefaultTimeout);
        return Text;
    }
}
