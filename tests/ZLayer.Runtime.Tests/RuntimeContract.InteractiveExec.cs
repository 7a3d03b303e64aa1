using System.Text;
using ZLayer.Runtime.Exec;

namespace ZLayer.Runtime.Tests;

/// <summary>Interactive exec (<c>zlayer exec -it</c>): a terminal whose size follows the client's, and streamed pipes.</summary>
public abstract partial class RuntimeContract
{
    private IInteractiveExec Interactive => Assert.IsAssignableFrom<IInteractiveExec>(Runtime);

    [Fact]
    public async Task ExecWithTty_GivesTheCommandATerminalOfTheClientsSize_AndTakesTypedInput()
    {
        var handle = await StartShellAsync("sleep 60");

        await using var session = await Interactive.StartExecAsync(handle, ["sh", "-c", "[ -t 0 ] && [ -t 1 ] && echo on-a-terminal; stty size; read line; echo got:$line; exit 3"], new ExecSessionOptions(Tty: true, Rows: 30, Columns: 100));
        var output = new StreamCapture(session.Output);
        await output.UntilContainsAsync("30 100");
        await session.Input.WriteAsync(Encoding.ASCII.GetBytes("hello\r"));

        Assert.Equal(3, await session.WaitAsync(CancellationToken.None).WaitAsync(Poll.DefaultTimeout));
        var shown = await output.EndAsync();
        Assert.Contains("on-a-terminal", shown, StringComparison.Ordinal);
        Assert.Contains("got:hello", shown, StringComparison.Ordinal);
        Assert.Null(session.Error);
    }

    [Fact]
    public async Task ExecWithTty_FollowsResizes_AndCtrlCInterruptsTheCommand()
    {
        var handle = await StartShellAsync("sleep 60");

        await using var session = await Interactive.StartExecAsync(handle, ["sh", "-c", "echo ready; while read line; do stty size; done"], new ExecSessionOptions(Tty: true));
        var output = new StreamCapture(session.Output);
        await output.UntilContainsAsync("ready");
        session.Resize(50, 132);

        // A resize travels as a signal, typed keys as data: the command may read a line before it
        // sees the new size, as with any terminal, so ask until it does.
        await Poll.UntilAsync(async () =>
        {
            await session.Input.WriteAsync(Encoding.ASCII.GetBytes("\r"));
            return output.Text.Contains("50 132", StringComparison.Ordinal);
        }, $"the command seeing the new size (so far: '{output.Text}')");
        // Ctrl-C, typed again if the first one was lost (seen with Docker 20.10 under load, where
        // typed bytes travel through the engine): a command that ignored it would still fail here.
        var exited = session.WaitAsync(CancellationToken.None);
        await Poll.UntilAsync(async () =>
        {
            try
            {
                if (!exited.IsCompleted)
                {
                    await session.Input.WriteAsync(new byte[] { 0x03 });
                }
            }
            catch (IOException)
            {
                // The command ended on an earlier Ctrl-C and its input closed before its exit was seen.
            }

            return exited.IsCompleted;
        }, "the command to end on Ctrl-C");
        Assert.Equal(130, await exited);
    }

    [Fact]
    public async Task ExecWithoutTty_StreamsStdinStdoutAndStderrSeparately()
    {
        var handle = await StartShellAsync("sleep 60");

        await using var session = await Interactive.StartExecAsync(handle, ["sh", "-c", "while read line; do echo out:$line; echo err:$line >&2; done; exit 5"], new ExecSessionOptions(Tty: false));
        var stdout = new StreamCapture(session.Output);
        var stderr = new StreamCapture(session.Error!);
        await session.Input.WriteAsync(Encoding.ASCII.GetBytes("one\n"));
        await session.Input.FlushAsync();
        await stdout.UntilContainsAsync("out:one");
        await session.Input.WriteAsync(Encoding.ASCII.GetBytes("two\n"));
        await session.CloseInputAsync(CancellationToken.None);

        Assert.Equal(5, await session.WaitAsync(CancellationToken.None).WaitAsync(Poll.DefaultTimeout));
        Assert.Equal("out:one\nout:two\n", await stdout.EndAsync());
        Assert.Equal("err:one\nerr:two\n", await stderr.EndAsync());
    }

    [Fact]
    public async Task ExecSession_DisposedWhileRunning_EndsTheCommand()
    {
        var handle = await StartShellAsync("sleep 60");

        var session = await Interactive.StartExecAsync(handle, ["sh", "-c", "echo started pid=$$.; exec sleep 300"], new ExecSessionOptions(Tty: true));
        var output = new StreamCapture(session.Output);
        await output.UntilContainsAsync(".");
        var pid = System.Text.RegularExpressions.Regex.Match(output.Text, @"pid=(\d+)\.").Groups[1].Value;
        Assert.Equal("alive\n", (await Runtime.ExecAsync(handle, ["sh", "-c", $"kill -0 {pid} && echo alive"], new ExecOptions(TimeSpan.FromSeconds(20)))).Stdout);

        await session.DisposeAsync();

        var left = await Runtime.ExecAsync(handle, ["sh", "-c", $"kill -0 {pid} 2>/dev/null && echo alive || echo gone"], new ExecOptions(TimeSpan.FromSeconds(20)));
        Assert.Equal("gone\n", left.Stdout);
    }
}
