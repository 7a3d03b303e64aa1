using System.Net;

namespace ZLayer.Networking.Dns;

/// <summary>
/// A response as read off the wire: what the forwarder checks of an upstream's answer, and what
/// tests and the benchmark read of ours. A, AAAA, SRV and SOA data are decoded; other types kept raw.
/// </summary>
public sealed record DnsResponse(
    ushort Id,
    ushort Flags,
    DnsQuestion? Question,
    IReadOnlyList<DnsRecord> Answers,
    IReadOnlyList<DnsRecord> Authorities,
    IReadOnlyList<DnsRecord> Additionals,
    ushort? EdnsPayloadSize)
{
    public DnsResponseCode Code { get; init; }

    public bool IsTruncated => (Flags & DnsFlags.Truncated) != 0;

    public bool IsAuthoritative => (Flags & DnsFlags.Authoritative) != 0;

    public bool RecursionAvailable => (Flags & DnsFlags.RecursionAvailable) != 0;

    public bool RecursionDesired => (Flags & DnsFlags.RecursionDesired) != 0;

    /// <summary>Reads a whole response; throws <see cref="DnsFormatException"/> naming the offset of a breach.</summary>
    public static DnsResponse Read(ReadOnlySpan<byte> message)
    {
        var reader = new DnsWireReader(message);
        var id = reader.ReadUInt16();
        var flags = reader.ReadUInt16();
        if ((flags & DnsFlags.Response) == 0)
        {
            throw new DnsFormatException("the message is a query, not a response (QR is 0)");
        }

        var counts = new[] { reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadUInt16() };
        if (counts[0] > 1)
        {
            throw new DnsFormatException($"a response must echo at most one question, this one holds {counts[0]}");
        }

        DnsQuestion? question = counts[0] == 1 ? new DnsQuestion(reader.ReadName(), (DnsRecordType)reader.ReadUInt16(), reader.ReadUInt16()) : null;
        var answers = ReadRecords(ref reader, counts[1], out _);
        var authorities = ReadRecords(ref reader, counts[2], out _);
        var additionals = ReadRecords(ref reader, counts[3], out var opt);
        var code = flags & 0xF;
        if (opt is { } o)
        {
            code |= (int)(o.ExtendedTtl >> 24) << 4;
        }

        return new DnsResponse(id, flags, question, answers, authorities, additionals, opt?.Payload) { Code = (DnsResponseCode)code };
    }

    private static List<DnsRecord> ReadRecords(ref DnsWireReader reader, int count, out (ushort Payload, uint ExtendedTtl)? opt)
    {
        opt = null;
        var records = new List<DnsRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var at = reader.Position;
            var name = reader.ReadName();
            var type = (DnsRecordType)reader.ReadUInt16();
            var recordClass = reader.ReadUInt16();
            var ttl = reader.ReadUInt32();
            var length = reader.ReadUInt16();
            var end = reader.Position + length;
            if (length > reader.Remaining)
            {
                throw new DnsFormatException($"record at offset {at} claims {length} bytes of data, only {reader.Remaining} remain");
            }

            if (type == DnsRecordType.Opt)
            {
                opt = (recordClass, ttl);
                reader.ReadBytes(length);
                continue;
            }

            DnsRecord record = (type, length) switch
            {
                (DnsRecordType.A, 4) or (DnsRecordType.Aaaa, 16) => new DnsAddressRecord(name, ttl, new IPAddress(reader.ReadBytes(length))),
                (DnsRecordType.Srv, _) => new DnsSrvRecord(name, ttl, reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadName()),
                (DnsRecordType.Soa, _) => new DnsSoaRecord(name, ttl, reader.ReadName(), reader.ReadName(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32()),
                _ => new DnsOpaqueRecord(name, ttl, type, recordClass, reader.ReadBytes(length).ToArray()),
            };
            if (reader.Position != end)
            {
                throw new DnsFormatException($"{type} record at offset {at} has {length} bytes of data that do not match its type");
            }

            records.Add(record);
        }

        return records;
    }
}
