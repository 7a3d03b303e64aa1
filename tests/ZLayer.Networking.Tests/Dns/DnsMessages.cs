using System.Buffers.Binary;
using ZLayer.Networking.Dns;

namespace ZLayer.Networking.Tests.Dns;

/// <summary>Builds query packets the way a client would, for tests to send or to read back.</summary>
internal static class DnsMessages
{
    public static byte[] Query(string name, DnsRecordType type, ushort id = 0x1234, ushort? ednsPayload = null, bool recursionDesired = true)
    {
        var buffer = new byte[DnsTcpFraming.MaxMessage];
        var writer = new DnsMessageWriter(buffer, buffer.Length);
        writer.WriteHeader(id, recursionDesired ? DnsFlags.RecursionDesired : (ushort)0);
        Assert.True(writer.TryWriteQuestion(new DnsQuestion(DnsName.Parse(name), type, DnsQuestion.ClassIn)));
        var additionals = ednsPayload is { } payload && writer.TryWriteOpt(payload, DnsResponseCode.NoError) ? 1 : 0;
        writer.SetCounts(1, 0, 0, additionals);
        return writer.Written.ToArray();
    }

    /// <summary>A header with the given ID, flags and counts, followed by <paramref name="body"/>.</summary>
    public static byte[] Raw(ushort id, ushort flags, ushort questions, ushort answers, ushort authorities, ushort additionals, params byte[] body)
    {
        var message = new byte[12 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message, id);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), questions);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), answers);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(8), authorities);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(10), additionals);
        body.CopyTo(message, 12);
        return message;
    }
}
