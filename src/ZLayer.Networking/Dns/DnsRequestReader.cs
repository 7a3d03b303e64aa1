namespace ZLayer.Networking.Dns;

/// <summary>
/// Reads a query (RFC 1035 §4.1, EDNS per RFC 6891). Never throws: a message too short for a
/// header, or one that is itself a response, yields null (dropped, as nothing sensible can be sent
/// back); any other breach yields a request carrying FORMERR, NOTIMP or BADVERS.
/// </summary>
public static class DnsRequestReader
{
    public const int HeaderLength = 12;

    public static DnsRequest? Read(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength)
        {
            return null;
        }

        var reader = new DnsWireReader(message);
        var id = reader.ReadUInt16();
        var flags = reader.ReadUInt16();
        if ((flags & DnsFlags.Response) != 0)
        {
            return null;
        }

        var opcode = (byte)((flags >> 11) & 0xF);
        var rd = (flags & DnsFlags.RecursionDesired) != 0;
        var cd = (flags & DnsFlags.CheckingDisabled) != 0;
        var request = new DnsRequest(id, opcode, rd, cd, null, null);
        if (opcode != 0)
        {
            return request with { Error = DnsResponseCode.NotImp, ErrorDetail = $"opcode {opcode} is not supported, only QUERY (0)" };
        }

        var questions = reader.ReadUInt16();
        var answers = reader.ReadUInt16();
        var authorities = reader.ReadUInt16();
        var additionals = reader.ReadUInt16();
        if (questions != 1)
        {
            return request with { Error = DnsResponseCode.FormErr, ErrorDetail = $"a query must hold exactly one question, this one holds {questions}" };
        }

        try
        {
            var question = new DnsQuestion(reader.ReadName(), (DnsRecordType)reader.ReadUInt16(), reader.ReadUInt16());
            request = request with { Question = question };
            if (question.Type == DnsRecordType.Opt)
            {
                return request with { Error = DnsResponseCode.FormErr, ErrorDetail = "OPT is not a type one can ask for" };
            }

            for (var i = 0; i < answers + authorities; i++)
            {
                SkipRecord(ref reader);
            }

            for (var i = 0; i < additionals; i++)
            {
                var at = reader.Position;
                var name = reader.ReadName();
                var type = (DnsRecordType)reader.ReadUInt16();
                if (type != DnsRecordType.Opt)
                {
                    reader.ReadUInt16();
                    reader.ReadUInt32();
                    reader.ReadBytes(reader.ReadUInt16());
                    continue;
                }

                if (request.HasEdns || name.Labels.Count != 0)
                {
                    return request with { EdnsPayloadSize = null, Error = DnsResponseCode.FormErr, ErrorDetail = $"OPT record at offset {at} is a second one or not owned by the root" };
                }

                var payload = Math.Max(reader.ReadUInt16(), DnsRequest.MinimumPayload);
                var extended = reader.ReadUInt32();
                reader.ReadBytes(reader.ReadUInt16());
                request = request with { EdnsPayloadSize = payload };
                var version = (byte)(extended >> 16);
                if (version != 0)
                {
                    return request with { Error = DnsResponseCode.BadVers, ErrorDetail = $"EDNS version {version} is not supported, only 0" };
                }
            }

            if (reader.Remaining != 0)
            {
                return request with { Error = DnsResponseCode.FormErr, ErrorDetail = $"{reader.Remaining} bytes follow the last record at offset {reader.Position}" };
            }

            return request;
        }
        catch (DnsFormatException e)
        {
            return request with { Error = DnsResponseCode.FormErr, ErrorDetail = e.Message };
        }
    }

    private static void SkipRecord(ref DnsWireReader reader)
    {
        reader.ReadName();
        reader.ReadUInt16();
        reader.ReadUInt16();
        reader.ReadUInt32();
        reader.ReadBytes(reader.ReadUInt16());
    }
}
