using System.Buffers.Binary;
using System.Net;

namespace ZLayer.Networking.Dns;

/// <summary>
/// Writes a DNS message into a buffer up to a size limit, compressing names against every suffix
/// already written (RFC 1035 §4.1.4). A record that does not fit is rolled back whole, so the
/// caller can decide between truncating (TC) and leaving optional records out.
/// </summary>
public sealed class DnsMessageWriter
{
    /// <summary>Pointers have 14 bits, so only suffixes written below this offset can be pointed at.</summary>
    private const int MaxPointerTarget = 0x3FFF;

    private readonly byte[] _buffer;
    private int _limit;
    /// <summary>Every name suffix written where a pointer can reach it: labels from <c>Start</c> of <c>Name</c>, at <c>Offset</c>.</summary>
    private readonly List<(DnsName Name, int Start, int Offset)> _suffixes = [];
    private bool _overflow;

    public DnsMessageWriter(byte[] buffer, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, DnsRequestReader.HeaderLength);
        _buffer = buffer;
        _limit = Math.Min(limit, buffer.Length);
    }

    public int Position { get; private set; }

    /// <summary>The size the message may reach; lowered to keep room for a record that must come last (OPT).</summary>
    public int Limit
    {
        get => _limit;
        set => _limit = Math.Clamp(value, DnsRequestReader.HeaderLength, _buffer.Length);
    }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Position);

    public void WriteHeader(ushort id, ushort flags)
    {
        Position = 0;
        WriteUInt16(id);
        WriteUInt16(flags);
        Position = DnsRequestReader.HeaderLength;
        _buffer.AsSpan(4, 8).Clear();
    }

    public void SetFlags(ushort flags) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), flags);

    public void SetCounts(int questions, int answers, int authorities, int additionals)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(4), (ushort)questions);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(6), (ushort)answers);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(8), (ushort)authorities);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(10), (ushort)additionals);
    }

    public bool TryWriteQuestion(DnsQuestion question)
    {
        var mark = Begin();
        WriteName(question.Name, compress: true);
        WriteUInt16((ushort)question.Type);
        WriteUInt16(question.Class);
        return End(mark);
    }

    public bool TryWriteRecord(DnsRecord record)
    {
        var mark = Begin();
        WriteName(record.Name, compress: true);
        WriteUInt16((ushort)record.Type);
        WriteUInt16(record is DnsOpaqueRecord opaque ? opaque.Class : DnsQuestion.ClassIn);
        WriteUInt32(record.Ttl);
        var lengthAt = Position;
        WriteUInt16(0);
        record.WriteData(this);
        if (!_overflow)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthAt), (ushort)(Position - lengthAt - 2));
        }

        return End(mark);
    }

    /// <summary>The EDNS OPT pseudo-record (RFC 6891 §6.1.2): our payload size, extended rcode bits, version 0.</summary>
    public bool TryWriteOpt(ushort payloadSize, DnsResponseCode code)
    {
        var mark = Begin();
        WriteByte(0);
        WriteUInt16((ushort)DnsRecordType.Opt);
        WriteUInt16(payloadSize);
        WriteUInt32((uint)((int)code >> 4) << 24);
        WriteUInt16(0);
        return End(mark);
    }

    /// <summary>Forgets what was written after <paramref name="position"/> (a header and question kept, say).</summary>
    public void Rewind(int position)
    {
        Position = position;
        _suffixes.RemoveAll(s => s.Offset >= position);
    }

    internal void WriteName(DnsName name, bool compress)
    {
        for (var i = 0; i < name.Labels.Count; i++)
        {
            if (compress && FindSuffix(name, i) is { } target)
            {
                WriteUInt16((ushort)(0xC000 | target));
                return;
            }

            if (Position <= MaxPointerTarget)
            {
                _suffixes.Add((name, i, Position));
            }

            var label = name.Labels[i];
            WriteByte((byte)label.Length);
            if (Reserve(label.Length))
            {
                System.Text.Encoding.Latin1.GetBytes(label, _buffer.AsSpan(Position));
                Position += label.Length;
            }
        }

        WriteByte(0);
    }

    internal void WriteAddress(IPAddress address)
    {
        var size = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 16 : 4;
        if (Reserve(size))
        {
            address.TryWriteBytes(_buffer.AsSpan(Position), out _);
            Position += size;
        }
    }

    internal void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (Reserve(bytes.Length))
        {
            bytes.CopyTo(_buffer.AsSpan(Position));
            Position += bytes.Length;
        }
    }

    internal void WriteByte(byte value)
    {
        if (Reserve(1))
        {
            _buffer[Position++] = value;
        }
    }

    internal void WriteUInt16(ushort value)
    {
        if (Reserve(2))
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(Position), value);
            Position += 2;
        }
    }

    internal void WriteUInt32(uint value)
    {
        if (Reserve(4))
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(Position), value);
            Position += 4;
        }
    }

    private bool Reserve(int count)
    {
        if (_overflow || Position + count > _limit)
        {
            _overflow = true;
            return false;
        }

        return true;
    }

    private int? FindSuffix(DnsName name, int start)
    {
        var length = name.Labels.Count - start;
        foreach (var (written, from, offset) in _suffixes)
        {
            if (written.Labels.Count - from != length)
            {
                continue;
            }

            // Owner names are mostly the question's own object: no label comparison needed.
            if (ReferenceEquals(written, name) && from == start)
            {
                return offset;
            }

            var same = true;
            for (var i = 0; i < length && same; i++)
            {
                same = DnsName.LabelEquals(written.Labels[from + i], name.Labels[start + i]);
            }

            if (same)
            {
                return offset;
            }
        }

        return null;
    }

    private int Begin() => Position;

    /// <summary>Keeps what was written since <paramref name="mark"/>, or, when it overflowed the limit, takes it all back.</summary>
    private bool End(int mark)
    {
        if (!_overflow)
        {
            return true;
        }

        _suffixes.RemoveAll(s => s.Offset >= mark);
        Position = mark;
        _overflow = false;
        return false;
    }
}
