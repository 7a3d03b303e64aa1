using System.Net;
using ZLayer.Networking.Cni;
using ZLayer.Networking.Dns;

namespace ZLayer.Networking.Tests.Dns;

public class DnsZoneTests
{
    internal static DnsServiceEntry Web(string deployment = "demo", int replicas = 3, byte net = 0) => new(deployment, "web",
        [.. Enumerable.Range(1, replicas).Select(i => new DnsReplica(i, null, new IPAddress([10, 0, net, (byte)i]), i == 1 ? IPAddress.Parse($"fd00::{net}:1") : null))],
        [new DnsServicePort("http", PortProtocol.Tcp, 8080), new DnsServicePort("metrics", PortProtocol.Tcp, 9090)]);

    internal static DnsServiceEntry Db() => new("demo", "db",
        [new DnsReplica(1, "leader", IPAddress.Parse("10.0.1.1"), null), new DnsReplica(2, "follower", IPAddress.Parse("10.0.1.2"), null), new DnsReplica(3, "follower", IPAddress.Parse("10.0.1.3"), null)],
        [new DnsServicePort("pg", PortProtocol.Tcp, 5432)]);

    private readonly DnsZone _zone = new(new ServiceDirectory([Web(), Db(), new DnsServiceEntry("demo", "idle", [], [])], serial: 42));

    private DnsAnswer Ask(string name, DnsRecordType type, IPAddress? client = null) =>
        _zone.Answer(new DnsQuestion(DnsName.Parse(name), type, DnsQuestion.ClassIn), client) ?? throw new InvalidOperationException($"{name} was not ours");

    private static List<string> Addresses(DnsAnswer answer) =>
        [.. answer.Answers.Cast<DnsAddressRecord>().Select(r => r.Address.ToString()).Order()];

    [Theory]
    [InlineData("web")]
    [InlineData("web.service")]
    [InlineData("web.service.local")]
    [InlineData("WEB.Service.LOCAL")]
    [InlineData("web.demo.service.local")]
    public void Every_spelling_of_a_service_answers_all_its_healthy_replicas(string name)
    {
        var answer = Ask(name, DnsRecordType.A);

        Assert.Equal(DnsResponseCode.NoError, answer.Code);
        Assert.True(answer.Authoritative);
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3"], Addresses(answer));
        Assert.All(answer.Answers, r => Assert.Equal(DnsZone.Ttl, r.Ttl));
        Assert.All(answer.Answers, r => Assert.Equal(name + ".", r.Name.ToString()));
    }

    [Fact]
    public void Aaaa_answers_the_replicas_that_have_an_ipv6_address()
    {
        Assert.Equal(["fd00::1"], Addresses(Ask("web.service.local", DnsRecordType.Aaaa)));
    }

    [Theory]
    [InlineData("2.web.service.local", "10.0.0.2")]
    [InlineData("2.web.demo.service.local", "10.0.0.2")]
    [InlineData("leader.db.service.local", "10.0.1.1")]
    [InlineData("follower.db.service", "10.0.1.2,10.0.1.3")]
    [InlineData("follower.db.demo.service.local", "10.0.1.2,10.0.1.3")]
    public void A_replica_number_or_a_role_narrows_the_answer(string name, string expected)
    {
        Assert.Equal(expected.Split(','), Addresses(Ask(name, DnsRecordType.A)));
    }

    [Theory]
    [InlineData("nosuch.service.local")]
    [InlineData("9.web.service.local")]
    [InlineData("02.web.service.local")]
    [InlineData("primary.db.service.local")]
    [InlineData("web.otherdeployment.service.local")]
    [InlineData("_nope._tcp.web.service.local")]
    [InlineData("_http._udp.web.service.local")]
    [InlineData("a.b.c.d.service.local")]
    public void A_name_that_does_not_exist_is_nxdomain_with_the_zone_soa(string name)
    {
        var answer = Ask(name, DnsRecordType.A);

        Assert.Equal(DnsResponseCode.NXDomain, answer.Code);
        Assert.True(answer.Authoritative);
        Assert.Empty(answer.Answers);
        var soa = Assert.IsType<DnsSoaRecord>(Assert.Single(answer.Authorities));
        Assert.Equal("service.local.", soa.Name.ToString());
        Assert.Equal(42u, soa.Serial);
        Assert.Equal(DnsZone.Ttl, soa.Minimum);
    }

    [Theory]
    [InlineData("db.service.local", DnsRecordType.Aaaa)]
    [InlineData("web.service.local", DnsRecordType.MX)]
    [InlineData("web.service.local", DnsRecordType.Srv)]
    [InlineData("idle.service.local", DnsRecordType.A)]
    [InlineData("_tcp.web.service.local", DnsRecordType.Srv)]
    [InlineData("service.local", DnsRecordType.A)]
    public void A_name_that_exists_without_records_of_the_type_is_nodata_with_the_zone_soa(string name, DnsRecordType type)
    {
        var answer = Ask(name, type);

        Assert.Equal(DnsResponseCode.NoError, answer.Code);
        Assert.True(answer.Authoritative);
        Assert.Empty(answer.Answers);
        Assert.IsType<DnsSoaRecord>(Assert.Single(answer.Authorities));
    }

    [Fact]
    public void The_other_zone_spelling_has_its_own_apex_in_the_soa()
    {
        var answer = Ask("nosuch.service", DnsRecordType.A);

        Assert.Equal("service.", Assert.Single(answer.Authorities).Name.ToString());
    }

    [Fact]
    public void Srv_lists_each_replica_under_its_deployment_qualified_name_with_the_port_and_glue()
    {
        var answer = Ask("_http._tcp.web.service.local", DnsRecordType.Srv);

        var targets = answer.Answers.Cast<DnsSrvRecord>().OrderBy(r => r.Target.ToString()).ToList();
        Assert.Equal(["1.web.demo.service.local.", "2.web.demo.service.local.", "3.web.demo.service.local."], targets.Select(t => t.Target.ToString()));
        Assert.All(targets, t => Assert.Equal(8080, t.Port));
        Assert.Contains(answer.Additionals, r => r is DnsAddressRecord { Address: var a } && a.Equals(IPAddress.Parse("fd00::1")) && r.Name.ToString() == "1.web.demo.service.local.");
        Assert.Equal(4, answer.Additionals.Count);
    }

    [Fact]
    public void The_targets_of_srv_resolve_to_their_replica()
    {
        Assert.Equal(["10.0.0.3"], Addresses(Ask("3.web.demo.service.local", DnsRecordType.A)));
    }

    [Fact]
    public void Answers_rotate_so_every_replica_comes_first_in_turn()
    {
        var firsts = Enumerable.Range(0, 3).Select(_ => ((DnsAddressRecord)Ask("web", DnsRecordType.A).Answers[0]).Address.ToString()).ToHashSet();

        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3"], firsts.Order());
    }

    [Fact]
    public void Names_outside_the_zone_are_not_ours()
    {
        Assert.Null(_zone.Answer(new DnsQuestion(DnsName.Parse("example.com"), DnsRecordType.A, 1), null));
        Assert.Null(_zone.Answer(new DnsQuestion(DnsName.Parse("nosuch"), DnsRecordType.A, 1), null));
        Assert.Null(_zone.Answer(new DnsQuestion(DnsName.Parse("web.local"), DnsRecordType.A, 1), null));
    }

    [Fact]
    public void The_apex_answers_its_soa()
    {
        var answer = Ask("Service.Local", DnsRecordType.Soa);

        Assert.Equal("Service.Local.", Assert.IsType<DnsSoaRecord>(Assert.Single(answer.Answers)).Name.ToString());
    }

    [Fact]
    public void A_replica_sees_its_own_deployments_services_and_others_only_by_qualified_name()
    {
        var zone = new DnsZone(new ServiceDirectory([Web("alpha", 2, 10), Web("beta", 2, 20), new DnsServiceEntry("beta", "api", [], [])]));
        DnsAnswer AskZone(string name, IPAddress? client) => zone.Answer(new DnsQuestion(DnsName.Parse(name), DnsRecordType.A, 1), client)!;

        Assert.Equal(["10.0.10.1", "10.0.10.2"], Addresses(AskZone("web", IPAddress.Parse("10.0.10.2"))));
        Assert.Equal(["10.0.20.1", "10.0.20.2"], Addresses(AskZone("web.beta.service.local", IPAddress.Parse("10.0.10.2"))));
        Assert.Equal(DnsResponseCode.NXDomain, AskZone("api.service.local", IPAddress.Parse("10.0.10.1")).Code);
        Assert.Equal(4, AskZone("web.service.local", IPAddress.Parse("192.0.2.1")).Answers.Count);
    }

    [Fact]
    public void An_address_shared_by_deployments_or_on_loopback_does_not_scope_the_client()
    {
        DnsServiceEntry Process(string deployment, string address) =>
            new(deployment, "web", [new DnsReplica(1, null, IPAddress.Parse(address), null)], []);
        var zone = new DnsZone(new ServiceDirectory([Process("alpha", "192.0.2.10"), Process("beta", "192.0.2.10"), Process("gamma", "127.0.0.1")]));

        foreach (var client in new[] { "192.0.2.10", "127.0.0.1" })
        {
            var answer = zone.Answer(new DnsQuestion(DnsName.Parse("web"), DnsRecordType.A, 1), IPAddress.Parse(client))!;
            Assert.Equal(3, answer.Answers.Count);
        }
    }

    [Fact]
    public void A_new_snapshot_is_answered_from_the_next_query()
    {
        Assert.Equal(3, Ask("web", DnsRecordType.A).Answers.Count);

        _zone.Directory = new ServiceDirectory([Web(replicas: 1)]);

        Assert.Equal(["10.0.0.1"], Addresses(Ask("web", DnsRecordType.A)));
        Assert.Null(_zone.Answer(new DnsQuestion(DnsName.Parse("db"), DnsRecordType.A, 1), null));
    }

    [Fact]
    public void Another_class_than_in_is_refused_for_our_names()
    {
        var answer = _zone.Answer(new DnsQuestion(DnsName.Parse("web.service.local"), DnsRecordType.A, 3), null)!;

        Assert.Equal(DnsResponseCode.Refused, answer.Code);
    }

    [Fact]
    public void A_directory_rejects_duplicates_and_bad_names_naming_them()
    {
        var duplicate = Assert.Throws<ArgumentException>(() => new ServiceDirectory([Web(), Web()]));
        Assert.Contains("'web' of deployment 'demo' is listed twice", duplicate.Message);

        var badName = Assert.Throws<ArgumentException>(() => new ServiceDirectory([new DnsServiceEntry("demo", "web.app", [], [])]));
        Assert.Contains("'web.app' is not a DNS label", badName.Message);

        var numericRole = Assert.Throws<ArgumentException>(() => new ServiceDirectory([new DnsServiceEntry("demo", "db", [new DnsReplica(1, "2", null, null)], [])]));
        Assert.Contains("role '2'", numericRole.Message);
    }
}
