using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests.Validation;

public sealed class ServiceRuleTests
{
    private static string NoImage(string body, string name = "web") =>
        $"version: v1\ndeployment: demo\nservices:\n  {name}:\n" + Indent(body, 4) + "\n";

    // ---- image and runtime --------------------------------------------------------------------

    [Fact]
    public void A_service_needs_an_image()
    {
        var yaml = NoImage("command: { args: [x] }");
        var error = SingleError(Load(yaml));
        Assert.Equal("missing-key", error.Code);
        Assert.Equal("service 'web' needs 'image' (or runtime: process with command.entrypoint)", error.Message);
        Assert.Equal("services.web", error.Path);

        // A key that is not there is reported at the service's name.
        AssertAt(error, yaml, "web:");
    }

    [Fact]
    public void A_process_service_needs_no_image_but_an_entrypoint()
    {
        AssertClean(Load(NoImage("runtime: process\ncommand: { entrypoint: [/usr/bin/app], args: [--serve] }")));

        var noCommand = NoImage("runtime: process");
        var error = SingleError(Load(noCommand));
        Assert.Equal("runtime: process needs command.entrypoint (the program to run on the host)", error.Message);
        AssertAt(error, noCommand, "process");

        var argsOnly = NoImage("runtime: process\ncommand: { args: [x] }");
        error = SingleError(Load(argsOnly));
        Assert.Equal("runtime: process needs command.entrypoint (the program to run on the host)", error.Message);
        AssertAt(error, argsOnly, "command");
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("runc")]
    [InlineData("auto")]
    public void Container_runtimes_still_need_an_image(string runtime)
    {
        Assert.Equal("missing-key", SingleError(Load(NoImage($"runtime: {runtime}\ncommand: {{ entrypoint: [x] }}"))).Code);
    }

    [Fact]
    public void An_image_that_failed_to_bind_is_reported_once()
    {
        var error = SingleError(Load(NoImage("image: nginx")));
        Assert.Equal("'services.web.image' needs a map, found 'nginx'", error.Message);
    }

    // ---- kind and schedule --------------------------------------------------------------------

    [Fact]
    public void Schedule_is_only_for_cron()
    {
        var yaml = OneService("rtype: job\nschedule: \"0 0 3 * * *\"");
        var error = SingleError(Load(yaml));
        Assert.Equal("schedule is only allowed with rtype: cron (this service is rtype: job)", error.Message);
        AssertAt(error, yaml, "\"0 0 3");

        error = SingleError(Load(OneService("schedule: \"0 0 3 * * *\"")));
        Assert.Equal("schedule is only allowed with rtype: cron (this service is rtype: service)", error.Message);
    }

    [Fact]
    public void Cron_needs_a_schedule()
    {
        var yaml = OneService("rtype: cron");
        var error = SingleError(Load(yaml));
        Assert.Equal("rtype: cron needs a schedule", error.Message);
        AssertAt(error, yaml, "cron");
    }

    [Fact]
    public void Cron_with_an_invalid_schedule_is_one_error()
    {
        var error = SingleError(Load(OneService("rtype: cron\nschedule: \"nope\"")));
        Assert.StartsWith("'services.web.schedule': invalid cron schedule 'nope'", error.Message);
    }

    [Fact]
    public void Jobs_and_cron_jobs_are_valid()
    {
        var result = Load(SpecExamples.C);
        AssertClean(result);
        Assert.Equal(ResourceType.Job, result.Spec!.Services["rebuild-index"].Rtype);
        Assert.Equal("0 30 2 * * *", result.Spec.Services["nightly-export"].Schedule!.Text);
    }

    // ---- resources ----------------------------------------------------------------------------

    [Theory]
    [InlineData("0", "cpu must be greater than 0, found 0")]
    [InlineData("-1", "cpu must be greater than 0, found -1")]
    [InlineData("0.0", "cpu must be greater than 0, found 0")]
    public void Cpu_must_be_positive(string cpu, string message)
    {
        var yaml = OneService($"resources: {{ cpu: {cpu} }}");
        var error = SingleError(Load(yaml));
        Assert.Equal("cpu", error.Code);
        Assert.Equal(message, error.Message);
        AssertAt(error, yaml, cpu + " }");
    }

    [Theory]
    [InlineData("0.25")]
    [InlineData("1")]
    [InlineData("2.0")]
    [InlineData("64")]
    public void Positive_cpu_is_valid(string cpu)
    {
        AssertClean(Load(OneService($"resources: {{ cpu: {cpu} }}")));
    }

    [Theory]
    [InlineData("memory_swappiness: 101", "memory_swappiness must be 0-100, found 101")]
    [InlineData("blkio_weight: 5", "blkio_weight must be 10-1000, found 5")]
    [InlineData("blkio_weight: 1001", "blkio_weight must be 10-1000, found 1001")]
    [InlineData("pids_limit: 0", "pids_limit must be positive (or -1 for unlimited)")]
    [InlineData("pids_limit: -2", "pids_limit must be positive (or -1 for unlimited)")]
    [InlineData("cpuset: \"0-3,x\"", "cpuset '0-3,x' must be a CPU list such as 0-3 or 0,2")]
    [InlineData("gpu: { count: 0 }", "gpu count must be at least 1")]
    public void Resource_ranges_are_checked(string resource, string message)
    {
        var yaml = OneService($"resources: {{ {resource} }}");
        var error = SingleError(Load(yaml));
        Assert.Equal(message, error.Message);
        AssertAt(error, yaml, resource.Split(':')[0] == "gpu" ? "0 }" : resource.Split(": ")[1], after: "resources");
    }

    [Fact]
    public void Resource_limits_in_range_are_valid()
    {
        AssertClean(Load(OneService("resources: { memory_swappiness: 100, blkio_weight: 10, pids_limit: -1, cpuset: \"0-3,5,7-8\", gpu: { count: 2, vendor: amd } }")));
    }

    [Fact]
    public void Replica_group_resources_are_checked_too()
    {
        var error = SingleError(Load(OneService("replica_groups: [{ role: a, count: 1, resources: { cpu: 0 } }]")));
        Assert.Equal("cpu must be greater than 0, found 0", error.Message);
        Assert.Equal("services.web.replica_groups[0].resources.cpu", error.Path);
    }

    // ---- storage, devices, port mappings --------------------------------------------------------

    [Theory]
    [InlineData("Bad_Name")]
    [InlineData("-data")]
    [InlineData("UPPER")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234")] // 65
    public void Named_volume_names_are_checked(string name)
    {
        var yaml = OneService($"storage: [{{ type: named, name: {name}, target: /data }}]");
        var error = SingleError(Load(yaml));
        Assert.Equal($"volume name '{name}' must be lowercase letters, digits and '-', at most 63, starting with a letter or digit", error.Message);
        AssertAt(error, yaml, name);
    }

    [Theory]
    [InlineData("data")]
    [InlineData("pg-data-1")]
    [InlineData("0cache")]
    public void Valid_volume_names(string name)
    {
        AssertClean(Load(OneService($"storage: [{{ type: named, name: {name}, target: /data }}]")));
    }

    [Fact]
    public void Storage_targets_must_be_absolute()
    {
        var yaml = OneService("storage: [{ type: anonymous, target: data }]");
        var error = SingleError(Load(yaml));
        Assert.Equal("storage target 'data' must be an absolute path inside the replica", error.Message);
        AssertAt(error, yaml, "data }");
    }

    [Fact]
    public void Two_storage_entries_cannot_mount_at_the_same_target()
    {
        var yaml = OneService("storage:\n  - { type: anonymous, target: /data }\n  - { type: tmpfs, target: /data/ }");
        var error = SingleError(Load(yaml));
        Assert.Equal("two storage entries mount at '/data/'", error.Message);
        AssertAt(error, yaml, "/data/");
    }

    [Fact]
    public void Bind_source_must_not_be_empty()
    {
        var error = SingleError(Load(OneService("storage: [{ type: bind, source: \"\", target: /a }]")));
        Assert.Equal("bind source must not be empty", error.Message);
    }

    [Theory]
    [InlineData("dev/kvm")]
    [InlineData("\"\"")]
    public void Device_paths_must_be_absolute(string path)
    {
        var yaml = OneService($"devices: [{{ path: {path} }}]");
        var error = SingleError(Load(yaml));
        Assert.Equal($"device path '{path.Trim('"')}' must be an absolute path such as /dev/kvm", error.Message);
        AssertAt(error, yaml, path + " }");
    }

    [Fact]
    public void Devices_with_absolute_paths_are_valid()
    {
        var result = Load(OneService("devices: [{ path: /dev/kvm }, { path: /dev/net/tun, write: false, mknod: true }]"));
        AssertClean(result);
        var devices = result.Spec!.Services["web"].Devices;
        Assert.True(devices[0].Read && devices[0].Write && !devices[0].Mknod);
        Assert.False(devices[1].Write);
    }

    [Fact]
    public void Port_mapping_container_port_must_not_be_0()
    {
        var yaml = OneService("port_mappings: [{ container_port: 0, host_port: 8080 }]");
        var error = SingleError(Load(yaml));
        Assert.Equal("container_port must be 1-65535", error.Message);
        AssertAt(error, yaml, "0,");
        AssertClean(Load(OneService("port_mappings: [{ container_port: 80 }, { container_port: 53, host_port: 0, protocol: udp }]")));
    }

    // ---- networking ---------------------------------------------------------------------------

    [Theory]
    [InlineData("myhost", "extra_hosts entry 'myhost' must be NAME:IP (IP may be host-gateway)")]
    [InlineData(":10.0.0.1", "extra_hosts entry ':10.0.0.1' must be NAME:IP (IP may be host-gateway)")]
    [InlineData("myhost:", "extra_hosts entry 'myhost:' must be NAME:IP (IP may be host-gateway)")]
    [InlineData("myhost:not-an-ip", "extra_hosts entry 'myhost:not-an-ip': 'not-an-ip' is not an IP address")]
    [InlineData("myhost:10.0.0.300", "extra_hosts entry 'myhost:10.0.0.300': '10.0.0.300' is not an IP address")]
    public void Extra_hosts_must_be_name_colon_ip(string entry, string message)
    {
        var yaml = OneService($"extra_hosts: [\"{entry}\"]");
        var error = SingleError(Load(yaml));
        Assert.Equal(message, error.Message);
        AssertAt(error, yaml, "extra_hosts");
    }

    [Fact]
    public void Extra_hosts_accept_ipv4_ipv6_and_host_gateway()
    {
        AssertClean(Load(OneService("extra_hosts: [\"db:10.0.0.5\", \"gw:host-gateway\", \"v6:::1\", \"v6b:[fe80::1]\"]")));
    }

    [Fact]
    public void Dns_entries_must_be_ip_addresses()
    {
        var yaml = OneService("dns: [\"8.8.8.8\", \"2001:4860:4860::8888\", dns.google]");
        var error = SingleError(Load(yaml));
        Assert.Equal("dns entry 'dns.google' must be an IP address", error.Message);
        AssertAt(error, yaml, "dns:");
    }

    [Fact]
    public void Host_network_folds_into_network_mode()
    {
        var result = Load(OneService("host_network: true"));
        AssertClean(result);
        Assert.Equal(NetworkMode.Host, result.Spec!.Services["web"].NetworkMode);
        Assert.Null(result.Spec.Services["web"].HostNetwork);

        Assert.Equal(NetworkMode.Default, Load(OneService("host_network: false")).Spec!.Services["web"].NetworkMode);
    }

    [Fact]
    public void Host_network_contradicting_network_mode_is_an_error()
    {
        var yaml = OneService("network_mode: bridge\nhost_network: true");
        var error = SingleError(Load(yaml));
        Assert.Equal("'services.web.host_network: true' contradicts network_mode 'bridge'", error.Message);
        AssertAt(error, yaml, "true");
        AssertClean(Load(OneService("network_mode: host\nhost_network: true")));
    }

    [Theory]
    [InlineData("default", NetworkModeKind.Default, null)]
    [InlineData("host", NetworkModeKind.Host, null)]
    [InlineData("none", NetworkModeKind.None, null)]
    [InlineData("bridge", NetworkModeKind.Bridge, null)]
    [InlineData("\"bridge:edge\"", NetworkModeKind.Bridge, "edge")]
    [InlineData("\"container:db\"", NetworkModeKind.Container, "db")]
    [InlineData("{ bridge: { name: edge } }", NetworkModeKind.Bridge, "edge")]
    [InlineData("{ container: { id: db } }", NetworkModeKind.Container, "db")]
    public void Network_modes_in_every_upstream_spelling(string written, NetworkModeKind kind, string? target)
    {
        var result = Load(OneService($"network_mode: {written}"));
        AssertClean(result);
        Assert.Equal(new NetworkMode(kind, target), result.Spec!.Services["web"].NetworkMode);
    }

    [Theory]
    [InlineData("\"container:\"", "'services.web.network_mode': network_mode container: needs a container id, e.g. container:db")]
    [InlineData("overlay", "'services.web.network_mode': invalid network_mode 'overlay': expected default, host, none, bridge, bridge:NAME or container:ID")]
    public void Invalid_network_modes_are_errors(string written, string message)
    {
        Assert.Equal(message, SingleError(Load(OneService($"network_mode: {written}"))).Message);
    }

    // ---- user, signals, ulimits -----------------------------------------------------------------

    [Theory]
    [InlineData("\"1000\"")]
    [InlineData("\"1000:1000\"")]
    [InlineData("app")]
    [InlineData("app:staff")]
    [InlineData("www-data")]
    public void Valid_users(string user)
    {
        AssertClean(Load(OneService($"user: {user}")));
    }

    [Theory]
    [InlineData("\"1000:\"")]
    [InlineData("\"a b\"")]
    [InlineData("\":1000\"")]
    [InlineData("\"a:b:c\"")]
    public void Invalid_users_are_errors(string user)
    {
        var yaml = OneService($"user: {user}");
        var error = SingleError(Load(yaml));
        Assert.Equal($"user '{user.Trim('"')}' must be uid[:gid] or name[:group]", error.Message);
        AssertAt(error, yaml, user);
    }

    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("TERM")]
    [InlineData("sigkill")]
    [InlineData("15")]
    [InlineData("64")]
    [InlineData("SIGUSR1")]
    public void Valid_stop_signals(string signal)
    {
        AssertClean(Load(OneService($"stop_signal: {signal}")));
    }

    [Theory]
    [InlineData("SIGFOO")]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("SIG")]
    public void Invalid_stop_signals_are_errors(string signal)
    {
        var yaml = OneService($"stop_signal: {signal}");
        var error = SingleError(Load(yaml));
        Assert.Equal($"stop_signal '{signal}' is not a signal name (SIGTERM, TERM) or number (1-64)", error.Message);
        AssertAt(error, yaml, signal);
    }

    [Fact]
    public void Ulimit_soft_must_not_exceed_hard()
    {
        var yaml = OneService("ulimits:\n  nofile: { soft: 8192, hard: 1024 }\n  nproc: { soft: 10 }\n  core: { hard: 0 }");
        var error = SingleError(Load(yaml));
        Assert.Equal("ulimit nofile: soft (8192) exceeds hard (1024)", error.Message);
        AssertAt(error, yaml, "8192");
    }
}
