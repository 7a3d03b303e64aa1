using ZLayer.Images.Content;

namespace ZLayer.Runtime.Exec;

/// <summary>
/// The master side of a terminal, read-only: Linux answers a read with EIO once the last process
/// holding the slave has closed it (after the buffered output was read), which here means end of
/// output, not a failure.
/// </summary>
internal sealed class TerminalOutputStream(FileStream master) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer)
    {
        try
        {
            return master.Read(buffer);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await master.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            master.Dispose();
        }

        base.Dispose(disposing);
    }
}
