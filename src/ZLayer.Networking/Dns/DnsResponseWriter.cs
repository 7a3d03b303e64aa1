namespace ZLayer.Networking.Dns;

/// <summary>
/// Turns a request and its answer into reply bytes within a size limit. When the answer or
/// authority section does not fit, the reply is cut to the question with TC set, so the client
/// retries over TCP (RFC 2181 §9); additional records that do not fit are left out quietly.
/// </summary>
public static class DnsResponseWriter
{
    /// <summary>The UDP payload size we advertise (the 2020 DNS flag day's, safe from fragmentation).</summary>
    public const ushort AdvertisedPayload = 1232;

    private const int OptLength = 11;

    /// <summary>Writes the reply into <paramref name="buffer"/>; returns its length.</summary>
    public static int Write(DnsRequest request, DnsAnswer answer, bool recursionAvailable, byte[] buffer, int limit, out bool truncated)
    {
        truncated = false;
        var code = answer.Code;
        if ((int)code > 15 && !request.HasEdns)
        {
            code = DnsResponseCode.ServFail;
        }

        var flags = (ushort)(DnsFlags.Response | (request.Opcode << 11) | ((int)code & 0xF));
        flags |= answer.Authoritative ? DnsFlags.Authoritative : (ushort)0;
        flags |= request.RecursionDesired ? DnsFlags.RecursionDesired : (ushort)0;
        flags |= recursionAvailable ? DnsFlags.RecursionAvailable : (ushort)0;
        flags |= request.CheckingDisabled ? DnsFlags.CheckingDisabled : (ushort)0;

        var writer = new DnsMessageWriter(buffer, limit);
        writer.WriteHeader(request.Id, flags);
        writer.Limit = limit - (request.HasEdns ? OptLength : 0);
        var questions = request.Question is { } q && writer.TryWriteQuestion(q) ? 1 : 0;
        var afterQuestion = writer.Position;

        var answers = 0;
        var authorities = 0;
        if (WriteAll(writer, answer.Answers) && WriteAll(writer, answer.Authorities))
        {
            answers = answer.Answers.Count;
            authorities = answer.Authorities.Count;
        }
        else
        {
            writer.Rewind(afterQuestion);
            truncated = true;
            writer.SetFlags((ushort)(flags | DnsFlags.Truncated));
        }

        var additionals = 0;
        if (!truncated)
        {
            additionals = answer.Additionals.Count(writer.TryWriteRecord);
        }

        writer.Limit = limit;
        if (request.HasEdns && writer.TryWriteOpt(AdvertisedPayload, code))
        {
            additionals++;
        }

        writer.SetCounts(questions, answers, authorities, additionals);
        return writer.Position;
    }

    /// <summary>
    /// An upstream's answer too big for the client's UDP limit, cut to its header and the question
    /// with TC set, so the client asks again over TCP.
    /// </summary>
    public static int WriteTruncated(DnsRequest request, ReadOnlySpan<byte> upstreamAnswer, byte[] buffer, int limit)
    {
        var flags = (ushort)(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(upstreamAnswer[2..]) | DnsFlags.Truncated);
        var writer = new DnsMessageWriter(buffer, limit);
        writer.WriteHeader(request.Id, flags);
        var questions = request.Question is { } q && writer.TryWriteQuestion(q) ? 1 : 0;
        var additionals = request.HasEdns && writer.TryWriteOpt(AdvertisedPayload, DnsResponseCode.NoError) ? 1 : 0;
        writer.SetCounts(questions, 0, 0, additionals);
        return writer.Position;
    }

    private static bool WriteAll(DnsMessageWriter writer, IReadOnlyList<DnsRecord> records)
    {
        foreach (var record in records)
        {
            if (!writer.TryWriteRecord(record))
            {
                return false;
            }
        }

        return true;
    }
}
