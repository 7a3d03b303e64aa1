using System.Net;
using ZLayer.Networking.Dns;

namespace ZLayer.Networking.Tests.Dns;

public class DnsCodecTests
{
    private static readonly byte[] QuestionTail = [0, 1, 0, 1];

    [Fact]
    public void A_query_reads_back_with_its_id_flags_question_and_edns_size()
    {
        var request = DnsRequestReader.Read(DnsMessages.Query("Web.Service.Local", DnsRecordType.Srv, id: 0xBEEF, ednsPayload: 4096));

        Assert.NotNull(request);
        Assert.Null(request.Error);
        Assert.Equal(0xBEEF, request.Id);
        Assert.True(request.RecursionDesired);
        Assert.Equal("Web.Service.Local.", request.Question!.Name.ToString());
        Assert.Equal(DnsRecordType.Srv, request.Question.Type);
        Assert.Equal((ushort)4096, request.EdnsPayloadSize);
        Assert.Equal(1232, request.UdpLimit(1232));
    }

    [Fact]
    public void Without_edns_a_udp_reply_is_limited_to_512_bytes()
    {
        var request = DnsRequestReader.Read(DnsMessages.Query("web", DnsRecordType.A))!;

        Assert.False(request.HasEdns);
        Assert.Equal(512, request.UdpLimit(1232));
    }

    [Fact]
    public void A_response_round_trips_every_record_type_and_echoes_the_question_as_asked()
    {
        var request = DnsRequestReader.Read(DnsMessages.Query("WeB.service.local", DnsRecordType.Any, ednsPayload: 1232))!;
        var name = request.Question!.Name;
        var target = DnsName.Parse("1.web.demo.service.local");
        var soa = new DnsSoaRecord(DnsName.Parse("service.local"), 5, DnsName.Parse("ns.service.local"), DnsName.Parse("hostmaster.service.local"), 7, 3600, 600, 86400, 5);
        var answer = new DnsAnswer(DnsResponseCode.NoError, true,
            [new DnsAddressRecord(name, 5, IPAddress.Parse("10.0.0.1")), new DnsAddressRecord(name, 5, IPAddress.Parse("fd00::1")), new DnsSrvRecord(name, 5, 0, 1, 8080, target)],
            [soa],
            [new DnsAddressRecord(target, 5, IPAddress.Parse("10.0.0.1"))]);
        var buffer = new byte[1232];

        var length = DnsResponseWriter.Write(request, answer, recursionAvailable: true, buffer, 1232, out var truncated);
        var response = DnsResponse.Read(buffer.AsSpan(0, length));

        Assert.False(truncated);
        Assert.Equal(request.Id, response.Id);
        Assert.True(response.IsAuthoritative);
        Assert.True(response.RecursionAvailable);
        Assert.True(response.RecursionDesired);
        Assert.Equal("WeB.service.local.", response.Question!.Name.ToString());
        Assert.Equal(answer.Answers, response.Answers);
        Assert.Equal(answer.Authorities, response.Authorities);
        Assert.Equal(answer.Additionals, response.Additionals);
        Assert.Equal((ushort)DnsResponseWriter.AdvertisedPayload, response.EdnsPayloadSize);
    }

    [Fact]
    public void Names_already_written_are_compressed_to_a_pointer()
    {
        var request = DnsRequestReader.Read(DnsMessages.Query("web.service.local", DnsRecordType.A))!;
        var name = request.Question!.Name;
        var answer = new DnsAnswer(DnsResponseCode.NoError, true,
            [.. Enumerable.Range(1, 3).Select(i => new DnsAddressRecord(name, 5, IPAddress.Parse($"10.0.0.{i}")))], [], []);
        var buffer = new byte[512];

        var length = DnsResponseWriter.Write(request, answer, false, buffer, 512, out _);

        // Header 12, question 19 + 4, then each record: a 2-byte pointer to offset 12, 10 fixed bytes, 4 of address.
        Assert.Equal(12 + 19 + 4 + (3 * 16), length);
        Assert.Equal(new byte[] { 0xC0, 12 }, buffer[35..37]);
        Assert.Equal(3, DnsResponse.Read(buffer.AsSpan(0, length)).Answers.Count);
    }

    [Fact]
    public void Compression_matches_names_whatever_their_ascii_case_but_not_other_bytes()
    {
        var request = DnsRequestReader.Read(DnsMessages.Query("web.service.local", DnsRecordType.A))!;
        var zone = request.Question!.Name;
        var answer = new DnsAnswer(DnsResponseCode.NoError, true,
            [
                new DnsAddressRecord(DnsName.Parse("WEB.Service.LOCAL"), 5, IPAddress.Parse("10.0.0.1")),
                new DnsAddressRecord(zone.Prepend("w\u00c9b"), 5, IPAddress.Parse("10.0.0.2")),
                new DnsAddressRecord(zone.Prepend("w\u00e9b"), 5, IPAddress.Parse("10.0.0.3")),
            ],
            [], []);
        var buffer = new byte[512];

        var length = DnsResponseWriter.Write(request, answer, false, buffer, 512, out _);
        var response = DnsResponse.Read(buffer.AsSpan(0, length));

        // Header, question; the first owner is a bare pointer (16 bytes in all); "wÉb" and "wéb"
        // (Latin-1 bytes 0xC9 and 0xE9, not ASCII letters) each write their label before a pointer (20).
        Assert.Equal(12 + 19 + 4 + 16 + 20 + 20, length);
        Assert.Equal(["web.service.local.", "w\\201b.web.service.local.", "w\\233b.web.service.local."], response.Answers.Select(a => a.Name.ToString()));
    }

    [Fact]
    public void A_suffix_shared_with_the_question_is_pointed_at_mid_name()
    {
        var request = DnsRequestReader.Read(DnsMessages.Query("_http._tcp.web.service.local", DnsRecordType.Srv))!;
        var soa = new DnsSoaRecord(DnsName.Parse("service.local"), 5, DnsName.Parse("ns.service.local"), DnsName.Parse("hostmaster.service.local"), 1, 1, 1, 1, 5);
        var answer = new DnsAnswer(DnsResponseCode.NoError, true, [], [soa], []);
        var buffer = new byte[512];

        var length = DnsResponseWriter.Write(request, answer, false, buffer, 512, out _);
        var response = DnsResponse.Read(buffer.AsSpan(0, length));

        // Header 12, question 30 + 4; the SOA's owner is a pointer into the question (2), then 10
        // fixed bytes, "ns" and "hostmaster" each followed by a pointer (5 + 13), and 20 of numbers.
        Assert.Equal(soa, response.Authorities.Single());
        Assert.Equal(12 + 30 + 4 + 2 + 10 + 5 + 13 + 20, length);
    }

    [Fact]
    public void An_answer_too_big_for_the_limit_is_cut_to_the_question_with_tc_and_keeps_edns()
    {
        var request = DnsRequestReader.Read(DnsMessages.Query("web", DnsRecordType.A, ednsPayload: 512))!;
        var answer = new DnsAnswer(DnsResponseCode.NoError, true,
            [.. Enumerable.Range(1, 100).Select(i => new DnsAddressRecord(request.Question!.Name, 5, new IPAddress([10, 0, 1, (byte)i])))], [], []);
        var buffer = new byte[4096];

        var length = DnsResponseWriter.Write(request, answer, false, buffer, 512, out var truncated);
        var response = DnsResponse.Read(buffer.AsSpan(0, length));

        Assert.True(truncated);
        Assert.True(response.IsTruncated);
        Assert.Empty(response.Answers);
        Assert.Equal("web.", response.Question!.Name.ToString());
        Assert.NotNull(response.EdnsPayloadSize);
        Assert.True(length <= 512);
    }

    [Fact]
    public void Additional_records_that_do_not_fit_are_left_out_without_tc()
    {
        var request = DnsRequestReader.Read(DnsMessages.Query("web", DnsRecordType.A))!;
        var name = request.Question!.Name;
        var answer = new DnsAnswer(DnsResponseCode.NoError, true, [new DnsAddressRecord(name, 5, IPAddress.Parse("10.0.0.1"))], [],
            [.. Enumerable.Range(1, 100).Select(i => new DnsAddressRecord(DnsName.Parse($"r{i}.web.demo.service.local"), 5, new IPAddress([10, 0, 2, (byte)i])))]);
        var buffer = new byte[512];

        var length = DnsResponseWriter.Write(request, answer, false, buffer, 512, out var truncated);
        var response = DnsResponse.Read(buffer.AsSpan(0, length));

        Assert.False(truncated);
        Assert.False(response.IsTruncated);
        Assert.Single(response.Answers);
        Assert.InRange(response.Additionals.Count, 1, 99);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(11)]
    public void A_packet_shorter_than_a_header_is_dropped(int length)
    {
        Assert.Null(DnsRequestReader.Read(new byte[length]));
    }

    [Fact]
    public void A_response_sent_to_the_server_is_dropped_not_answered()
    {
        Assert.Null(DnsRequestReader.Read(DnsMessages.Raw(1, DnsFlags.Response, 1, 0, 0, 0, [0, .. QuestionTail])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_query_without_exactly_one_question_is_formerr(ushort questions)
    {
        var request = DnsRequestReader.Read(DnsMessages.Raw(7, 0, questions, 0, 0, 0, [0, .. QuestionTail, 0, .. QuestionTail]))!;

        Assert.Equal(DnsResponseCode.FormErr, request.Error);
        Assert.Equal(7, request.Id);
        Assert.Contains($"holds {questions}", request.ErrorDetail);
    }

    [Fact]
    public void An_unknown_opcode_is_notimp()
    {
        var request = DnsRequestReader.Read(DnsMessages.Raw(7, 2 << 11, 1, 0, 0, 0, [0, .. QuestionTail]))!;

        Assert.Equal(DnsResponseCode.NotImp, request.Error);
        var buffer = new byte[512];
        var response = DnsResponse.Read(buffer.AsSpan(0, DnsResponseWriter.Write(request, DnsAnswer.Error(request.Error!.Value), false, buffer, 512, out _)));
        Assert.Equal(DnsResponseCode.NotImp, response.Code);
        Assert.Equal(2, (response.Flags >> 11) & 0xF);
    }

    [Fact]
    public void A_compression_pointer_to_itself_is_formerr_naming_the_offset()
    {
        var request = DnsRequestReader.Read(DnsMessages.Raw(7, 0, 1, 0, 0, 0, [0xC0, 12, .. QuestionTail]))!;

        Assert.Equal(DnsResponseCode.FormErr, request.Error);
        Assert.Contains("offset 12", request.ErrorDetail);
    }

    [Fact]
    public void A_loop_between_two_pointers_is_formerr()
    {
        // Question name at 12: label "a", then a pointer to 18; at 18 a pointer back to 12.
        byte[] body = [1, (byte)'a', 0xC0, 18, 0, 1, 0xC0, 12, 0, 1];
        var request = DnsRequestReader.Read(DnsMessages.Raw(7, 0, 1, 0, 0, 0, body))!;

        Assert.Equal(DnsResponseCode.FormErr, request.Error);
        Assert.Contains("forward or into a loop", request.ErrorDetail);
    }

    [Fact]
    public void A_label_of_64_bytes_is_formerr()
    {
        byte[] body = [64, .. Enumerable.Repeat((byte)'a', 64), 0, .. QuestionTail];

        Assert.Equal(DnsResponseCode.FormErr, DnsRequestReader.Read(DnsMessages.Raw(7, 0, 1, 0, 0, 0, body))!.Error);
    }

    [Fact]
    public void A_name_over_255_bytes_is_formerr()
    {
        var labels = Enumerable.Range(0, 5).SelectMany(_ => (byte[])[60, .. Enumerable.Repeat((byte)'a', 60)]);
        byte[] body = [.. labels, 0, .. QuestionTail];

        var request = DnsRequestReader.Read(DnsMessages.Raw(7, 0, 1, 0, 0, 0, body))!;

        Assert.Equal(DnsResponseCode.FormErr, request.Error);
        Assert.Contains("longer than 255", request.ErrorDetail);
    }

    [Fact]
    public void A_label_running_past_the_end_is_formerr()
    {
        Assert.Equal(DnsResponseCode.FormErr, DnsRequestReader.Read(DnsMessages.Raw(7, 0, 1, 0, 0, 0, [10, (byte)'a', (byte)'b']))!.Error);
    }

    [Fact]
    public void Bytes_after_the_last_record_are_formerr()
    {
        Assert.Equal(DnsResponseCode.FormErr, DnsRequestReader.Read(DnsMessages.Raw(7, 0, 1, 0, 0, 0, [0, .. QuestionTail, 0xFF]))!.Error);
    }

    [Fact]
    public void An_edns_version_other_than_0_is_badvers_with_the_extended_code_in_opt()
    {
        byte[] opt = [0, 0, 41, 4, 0, 0, 1, 0, 0, 0, 0];
        var request = DnsRequestReader.Read(DnsMessages.Raw(7, 0, 1, 0, 0, 1, [0, .. QuestionTail, .. opt]))!;
        var buffer = new byte[512];

        var response = DnsResponse.Read(buffer.AsSpan(0, DnsResponseWriter.Write(request, DnsAnswer.Error(request.Error!.Value), false, buffer, 512, out _)));

        Assert.Equal(DnsResponseCode.BadVers, request.Error);
        Assert.Equal(DnsResponseCode.BadVers, response.Code);
    }

    [Fact]
    public void Two_opt_records_are_formerr()
    {
        byte[] opt = [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(DnsResponseCode.FormErr, DnsRequestReader.Read(DnsMessages.Raw(7, 0, 1, 0, 0, 2, [0, .. QuestionTail, .. opt, .. opt]))!.Error);
    }

    [Fact]
    public void Random_and_mutated_packets_never_throw()
    {
        var random = new Random(20261123);
        var valid = DnsMessages.Query("a.web.service.local", DnsRecordType.A, ednsPayload: 1232);
        for (var i = 0; i < 20000; i++)
        {
            byte[] packet;
            if (i % 2 == 0)
            {
                packet = new byte[random.Next(0, 80)];
                random.NextBytes(packet);
            }
            else
            {
                packet = valid[..random.Next(0, valid.Length + 1)];
                for (var flips = random.Next(1, 4); flips > 0 && packet.Length > 0; flips--)
                {
                    packet[random.Next(packet.Length)] = (byte)random.Next(256);
                }
            }

            var request = DnsRequestReader.Read(packet);
            if (request is { Error: null })
            {
                Assert.NotNull(request.Question);
            }

            try
            {
                DnsResponse.Read(packet);
            }
            catch (DnsFormatException)
            {
                // What a broken message should cause, and nothing else.
            }
        }
    }
}
