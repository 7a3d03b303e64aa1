using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

/// <summary>Compose service fields onto <see cref="ServiceSpec"/>, one group at a time.</summary>
public sealed class ServiceMappingTests
{
    [Fact]
    public void Image_is_parsed_with_docker_normalisation()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx:alpine
                pull_policy: always
            """);
        result.Clean();
        var image = result.Service("web").Image!;
        Assert.Equal("docker.io/library/nginx:alpine", image.Name.Canonical);
        Assert.Equal(PullPolicy.Always, image.PullPolicy);
        Assert.Equal((3, 12), (image.Location.Line, image.Location.Column));
        Assert.Equal((3, 5), (result.Service("web").LocationOf("image").Line, result.Service("web").LocationOf("image").Column));
    }

    [Theory]
    [InlineData("missing", PullPolicy.IfNotPresent)]
    [InlineData("if_not_present", PullPolicy.IfNotPresent)]
    [InlineData("never", PullPolicy.Never)]
    [InlineData("daily", PullPolicy.Newer)]
    public void Pull_policies_map(string policy, PullPolicy expected) =>
        Assert.Equal(expected, Load($"services: {{web: {{image: nginx, pull_policy: {policy}}}}}").Service("web").Image!.PullPolicy);

    [Fact]
    public void A_string_command_is_split_like_a_shell_and_keeps_the_image_entrypoint()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                command: sh -c 'echo "hello world" && sleep 1'
                working_dir: /srv
            """);
        result.Clean();
        var command = result.Service("web").Command!;
        Assert.Equal(["sh", "-c", "echo \"hello world\" && sleep 1"], command.Args);
        Assert.True(command.KeepImageEntrypoint);
        Assert.Null(command.Entrypoint);
        Assert.Equal("/srv", command.Workdir);
        Assert.Equal((4, 5), (command.LocationOf("args").Line, command.LocationOf("args").Column));
    }

    [Fact]
    public void Entrypoint_replaces_the_image_entrypoint()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                entrypoint: ["/usr/bin/tini", "--"]
              plain:
                image: nginx
                entrypoint: /start.sh --fast
            """);
        result.Clean();
        var web = result.Service("web").Command!;
        Assert.Equal(["/usr/bin/tini", "--"], web.Entrypoint);
        Assert.Null(web.Args);
        Assert.Equal(["/start.sh", "--fast"], result.Service("plain").Command!.Entrypoint);
    }

    [Fact]
    public void Environment_list_and_bare_names_take_values_from_the_environment()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                environment:
                  - PLAIN=1
                  - WITH_EQUALS=a=b
                  - EMPTY=
                  - FROM_SHELL
                  - NOT_SET_ANYWHERE
            """,
            Env(("FROM_SHELL", "shell-value")));
        var env = result.Service("web").Env;
        Assert.Equal(["PLAIN", "WITH_EQUALS", "EMPTY", "FROM_SHELL"], env.Keys);
        Assert.Equal(["1", "a=b", "", "shell-value"], env.Values);
        var warning = result.Single("NOT_SET_ANYWHERE has no value");
        At(warning, 9, 9);
    }

    [Fact]
    public void Entries_without_a_name_are_errors()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    environment: [\"=x\", \"\", OK=1]\n");
        Assert.Equal(["OK"], result.Service("web").Env.Keys);
        At(result.Single("'services.web.environment[0]' needs NAME=value"), 4, 19);
        At(result.Single("'services.web.environment[1]' needs NAME=value"), 4, 25);
    }

    [Fact]
    public void Environment_map_values_are_text()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                environment:
                  DEBUG: true
                  WORKERS: 4
                  FROM_SHELL:
            """,
            Env(("FROM_SHELL", "x")));
        result.Clean();
        Assert.Equal(["true", "4", "x"], result.Service("web").Env.Values);
    }

    [Fact]
    public void Env_files_are_read_in_order_and_environment_wins()
    {
        using var project = new TempProject();
        project.Write("base.env", "A=base\nB=base\nC=base\n");
        project.Write("local.env", "B=local\nD=${A}-derived\n");
        var result = Load(
            """
            services:
              web:
                image: nginx
                env_file:
                  - base.env
                  - path: ./local.env
                  - path: ./optional.env
                    required: false
                environment:
                  C: environment
            """,
            baseDirectory: project.Directory);
        result.Clean();
        var env = result.Service("web").Env;
        Assert.Equal("base", env["A"]);
        Assert.Equal("local", env["B"]);
        Assert.Equal("environment", env["C"]);
        Assert.Equal("base-derived", env["D"]);
    }

    [Fact]
    public void A_missing_required_env_file_is_an_error_at_its_entry()
    {
        using var project = new TempProject();
        var result = Load(
            """
            services:
              web:
                image: nginx
                env_file: secrets.env
            """,
            baseDirectory: project.Directory);
        var error = result.Single("does not exist");
        Assert.Contains(project.PathOf("secrets.env"), error.Message, StringComparison.Ordinal);
        At(error, 4, 15);
    }

    [Fact]
    public void Labels_and_sysctls_accept_map_and_list()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                labels: ["com.acme.team=web", "com.acme.flag"]
                sysctls:
                  net.core.somaxconn: 1024
            """);
        result.Clean();
        var web = result.Service("web");
        Assert.Equal(new Dictionary<string, string> { ["com.acme.team"] = "web", ["com.acme.flag"] = "" }, web.Labels);
        Assert.Equal("1024", web.Sysctls["net.core.somaxconn"]);
    }

    [Fact]
    public void Network_and_host_fields()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                hostname: web-1
                dns: [1.1.1.1, 8.8.8.8]
                extra_hosts:
                  - "db.local:10.0.0.5"
                  - "v6host=::1"
                  - "bracketed:[fe80::1]"
              host:
                image: nginx
                network_mode: host
                extra_hosts:
                  api.local: 10.0.0.9
            """);
        result.Clean();
        var web = result.Service("web");
        Assert.Equal("web-1", web.Hostname);
        Assert.Equal(["1.1.1.1", "8.8.8.8"], web.Dns);
        Assert.Equal(["db.local:10.0.0.5", "v6host:::1", "bracketed:fe80::1"], web.ExtraHosts);
        var host = result.Service("host");
        Assert.Equal(NetworkMode.Host, host.NetworkMode);
        Assert.Equal(["api.local:10.0.0.9"], host.ExtraHosts);
    }

    [Fact]
    public void Network_mode_service_joins_that_services_container()
    {
        var result = Load(
            """
            services:
              db:
                image: postgres
              backup:
                image: busybox
                network_mode: "service:db"
            """);
        result.Clean();
        Assert.Equal(new NetworkMode(NetworkModeKind.Container, "db"), result.Service("backup").NetworkMode);
    }

    [Fact]
    public void Security_and_process_knobs()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                cap_add: [NET_ADMIN]
                cap_drop: [ALL]
                privileged: true
                user: "1000:1000"
                group_add: [audio, 44]
                read_only: true
                init: true
                tty: yes
                stdin_open: false
                security_opt: ["no-new-privileges:true"]
                pid: host
                ipc: shareable
                userns_mode: host
                cgroup_parent: /acme
                stop_signal: SIGINT
                stop_grace_period: 1m30s
                isolation: default
                platform: linux/arm64/v8
                ulimits:
                  nproc: 65535
                  nofile:
                    soft: 20000
                    hard: 40000
            """);
        result.Clean();
        var web = result.Service("web");
        Assert.Equal(["NET_ADMIN"], web.Capabilities);
        Assert.Equal(["ALL"], web.CapDrop);
        Assert.True(web.Privileged);
        Assert.Equal("1000:1000", web.User);
        Assert.Equal(["audio", "44"], web.ExtraGroups);
        Assert.True(web.ReadOnlyRootFs);
        Assert.True(web.InitContainer);
        Assert.True(web.Tty);
        Assert.False(web.StdinOpen);
        Assert.Equal(["no-new-privileges:true"], web.SecurityOpt);
        Assert.Equal("host", web.PidMode);
        Assert.Equal("shareable", web.IpcMode);
        Assert.Equal("host", web.UsernsMode);
        Assert.Equal("/acme", web.CgroupParent);
        Assert.Equal("SIGINT", web.StopSignal);
        Assert.Equal(TimeSpan.FromSeconds(90), web.StopGracePeriod!.Value.Value);
        Assert.Equal(Isolation.Auto, web.Isolation);
        Assert.Equal((PlatformOs.Linux, PlatformArch.Arm64), (web.Platform!.Os!.Value, web.Platform.Arch!.Value));
        Assert.Equal((65535L, 65535L), (web.Ulimits["nproc"].Soft!.Value, web.Ulimits["nproc"].Hard!.Value));
        Assert.Equal((20000L, 40000L), (web.Ulimits["nofile"].Soft!.Value, web.Ulimits["nofile"].Hard!.Value));
        Assert.True(web.Has("capabilities"));
        Assert.Equal(4, web.LocationOf("capabilities").Line);
    }

    [Fact]
    public void Devices_keep_their_permissions()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                devices:
                  - /dev/kvm
                  - "/dev/ttyUSB0:/dev/ttyUSB0:r"
                  - "/dev/sda:/dev/xvda:rw"
            """);
        var devices = result.Service("web").Devices;
        Assert.Equal(["/dev/kvm", "/dev/ttyUSB0", "/dev/sda"], devices.Select(d => d.Path));
        Assert.Equal((true, true, true), (devices[0].Read, devices[0].Write, devices[0].Mknod));
        Assert.Equal((true, false, false), (devices[1].Read, devices[1].Write, devices[1].Mknod));
        // A device renamed inside the container cannot be expressed; it is said so.
        At(result.Single("mapping it to '/dev/xvda'"), 7, 9);
    }

    [Fact]
    public void Service_locations_and_paths_point_into_the_compose_file()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                ports: ["80:80"]
            """);
        var web = result.Service("web");
        Assert.Equal("web", web.Name);
        Assert.Equal("services.web", web.SpecPath);
        Assert.Equal(new ZLayer.Spec.Diagnostics.SourceLocation(FileName, 3, 5), web.Location);
        Assert.Equal(new ZLayer.Spec.Diagnostics.SourceLocation(FileName, 4, 5), web.LocationOf("port_mappings"));
        Assert.Equal("services.web.ports[0]", web.PortMappings[0].SpecPath);
    }
}
