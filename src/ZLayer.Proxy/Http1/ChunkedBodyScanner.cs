namespace ZLayer.Proxy.Http1;

/// <summary>
/// Follows a chunked body (RFC 9112 §7.1) byte by byte so it can be relayed verbatim and its end
/// found: chunk sizes, extensions, data, the last chunk and trailer lines. Malformed framing from
/// a backend is an <see cref="InvalidDataException"/>: the client connection is then cut, never
/// handed a body whose end nobody knows.
/// </summary>
internal struct ChunkedBodyScanner
{
    private State state;
    private long remaining;
    private int digits;

    private enum State
    {
        Size,
        Extension,
        SizeLineFeed,
        Data,
        DataCarriageReturn,
        DataLineFeed,
        TrailerStart,
        TrailerLine,
        TrailerLineFeed,
        FinalLineFeed,
        Done,
    }

    public readonly bool Done => state == State.Done;

    /// <summary>Consumes bytes of the body; returns how many belong to it (fewer than given only at its end).</summary>
    public int Scan(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        while (at < bytes.Length && state != State.Done)
        {
            if (state == State.Data)
            {
                var take = (int)Math.Min(remaining, bytes.Length - at);
                at += take;
                remaining -= take;
                if (remaining == 0)
                {
                    state = State.DataCarriageReturn;
                }

                continue;
            }

            Step(bytes[at++]);
        }

        return at;
    }

    private void Step(byte b)
    {
        switch (state)
        {
            case State.Size:
                if (HexValue(b) is var value and >= 0)
                {
                    if (++digits > 15)
                    {
                        throw new InvalidDataException("chunk size too large");
                    }

                    remaining = (remaining * 16) + value;
                }
                else if (digits > 0 && b is (byte)';' or (byte)' ' or (byte)'\t')
                {
                    state = State.Extension;
                }
                else if (digits > 0 && b == '\r')
                {
                    state = State.SizeLineFeed;
                }
                else
                {
                    throw new InvalidDataException("bad chunk size");
                }

                break;
            case State.Extension:
                if (b == '\r')
                {
                    state = State.SizeLineFeed;
                }
                else if (b == '\n')
                {
                    throw new InvalidDataException("bare line feed in chunk extension");
                }

                break;
            case State.SizeLineFeed:
                Expect(b, '\n');
                state = remaining == 0 ? State.TrailerStart : State.Data;
                break;
            case State.DataCarriageReturn:
                Expect(b, '\r');
                state = State.DataLineFeed;
                break;
            case State.DataLineFeed:
                Expect(b, '\n');
                (state, digits) = (State.Size, 0);
                break;
            case State.TrailerStart:
                state = b == '\r' ? State.FinalLineFeed : State.TrailerLine;
                break;
            case State.TrailerLine:
                if (b == '\r')
                {
                    state = State.TrailerLineFeed;
                }

                break;
            case State.TrailerLineFeed:
                Expect(b, '\n');
                state = State.TrailerStart;
                break;
            case State.FinalLineFeed:
                Expect(b, '\n');
                state = State.Done;
                break;
        }
    }

    private static void Expect(byte b, char expected)
    {
        if (b != expected)
        {
            throw new InvalidDataException("bad chunk framing");
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
