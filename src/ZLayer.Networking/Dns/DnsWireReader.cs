using System.Buffers.Binary;

namespace ZLayer.Networking.Dns;

/// <summary>
/// Reads DNS wire format with every length checked against the message. Compression pointers
/// must point strictly before the part of the name being read, so a name is read in bounded steps
/// and a pointer loop is impossible. Breaches throw <see cref="DnsFormatException"/> with the offset.
/// </summary>
public ref struct DnsWireReader(ReadOnlySpan<byte> message)
{
    private readonly ReadOnlySpan<byte> _message = message;

    public int Position { get; private set; }

    public readonly int Remaining => _message.Length - Position;

    public byte ReadByte()
    {
        Require(1, "a byte");
        return _message[Position++];
    }

    public ushort ReadUInt16()
    {
        Require(2, "a 16-bit field");
        var value = BinaryPrimitives.ReadUInt16BigEndian(_message[Position..]);
        Position += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        Require(4, "a 32-bit field");
        var value = BinaryPrimitives.ReadUInt32BigEndian(_message[Position..]);
        Position += 4;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Require(count, $"{count} bytes of record data");
        var bytes = _message.Slice(Position, count);
        Position += count;
        return bytes;
    }

    public DnsName ReadName()
    {
        var labels = new List<string>();
        var at = Position;
        var segmentStart = Position;
        var resumeAt = -1;
        var wireLength = 1;
        while (true)
        {
            if (at >= _message.Length)
            {
                throw new DnsFormatException($"name at offset {segmentStart} runs past the end of the message");
            }

            var length = _message[at];
            if (length == 0)
            {
                at++;
                break;
            }

            switch (length & 0xC0)
            {
                case 0xC0:
                    if (at + 1 >= _message.Length)
                    {
                        throw new DnsFormatException($"compression pointer at offset {at} is cut off");
                    }

                    var target = ((length & 0x3F) << 8) | _message[at + 1];
                    if (target >= segmentStart)
                    {
                        throw new DnsFormatException($"compression pointer at offset {at} points forward or into a loop (to {target})");
                    }

                    if (resumeAt < 0)
                    {
                        resumeAt = at + 2;
                    }

                    at = segmentStart = target;
                    continue;
                case 0x40 or 0x80:
                    throw new DnsFormatException($"label at offset {at} has an unsupported type (0x{length:x2})");
            }

            wireLength += length + 1;
            if (wireLength > DnsName.MaxWireLength)
            {
                throw new DnsFormatException($"name at offset {Position} is longer than {DnsName.MaxWireLength} bytes");
            }

            if (at + 1 + length > _message.Length)
            {
                throw new DnsFormatException($"label at offset {at} runs past the end of the message");
            }

            labels.Add(System.Text.Encoding.Latin1.GetString(_message.Slice(at + 1, length)));
            at += 1 + length;
        }

        Position = resumeAt >= 0 ? resumeAt : at;
        return DnsName.FromCheckedLabels([.. labels]);
    }

    private readonly void Require(int count, string what)
    {
        if (count > Remaining)
        {
            throw new DnsFormatException($"message ends at offset {_message.Length} where {what} was expected at offset {Position}");
        }
    }
}
