using ZLayer.Control.Agent;
using ZLayer.Control.Model;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Tests.Agent;

public sealed class LaunchSpecBuilderTests
{
    private static DeploymentSpec Load(string yaml)
    {
        var result = SpecLoader.LoadText(yaml, "t.zlayer.yaml", new LoadOptions { Format = SpecFormat.ZLayer });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Spec!;
    }

    private static readonly DeploymentSpec Spec = Load("""
        version: v1
        deployment: shop
        services:
          api:
            runtime: process
            command: { entrypoint: [/bin/api], args: [--verbose], workdir: /srv }
            endpoints:
              - { name: http, protocol: http, port: 80, target_port: 8080 }
              - { name: admin-ui, protocol: http, port: 81 }
            env:
              DB_URL: "postgres://${db.host}:${db.port}/shop"
              ADMIN: "${db.endpoint.pg}"
              PRICE: "$$5"
              FROM_DAEMON: "$E:REGION"
            depends: [{ service: db }]
          db:
            runtime: process
            command: { entrypoint: [/bin/db] }
            endpoints: [{ name: pg, protocol: tcp, port: 5432 }]
        """);

    private static readonly Dictionary<string, ServiceAddress> Addresses = new()
    {
        ["db"] = new ServiceAddress("127.0.0.1", new Dictionary<string, int> { ["pg"] = 40001 }, "pg"),
    };

    private static ReplicaAssignment Assignment => new("shop.api.2", "shop", "api", 2, "node-a", "h", 1);

    [Fact]
    public void Builds_argv_workdir_and_wiring_variables()
    {
        var ports = new Dictionary<string, int> { ["http"] = 41000, ["admin-ui"] = 41001 };
        var launch = LaunchSpecBuilder.Build(Assignment, Spec.Services["api"], ports, Addresses, name => name == "REGION" ? "eu-1" : null);

        Assert.Equal(["/bin/api", "--verbose"], launch.Command);
        Assert.Equal("/srv", launch.WorkingDirectory);
        var env = launch.Environment;
        Assert.Equal("41000", env["PORT"]);
        Assert.Equal("41000", env["ZLAYER_PORT_HTTP"]);
        Assert.Equal("41001", env["ZLAYER_PORT_ADMIN_UI"]);
        Assert.Equal("127.0.0.1", env["DB_HOST"]);
        Assert.Equal("40001", env["DB_PORT"]);
        Assert.Equal("shop.api.2", env["ZLAYER_REPLICA"]);
        Assert.Equal("2", env["ZLAYER_REPLICA_INDEX"]);
        Assert.Equal("postgres://127.0.0.1:40001/shop", env["DB_URL"]);
        Assert.Equal("127.0.0.1:40001", env["ADMIN"]);
        Assert.Equal("$5", env["PRICE"]);
        Assert.Equal("eu-1", env["FROM_DAEMON"]);
    }

    [Fact]
    public void An_unset_daemon_variable_is_an_error_naming_service_and_key()
    {
        var ex = Assert.Throws<LaunchException>(() => LaunchSpecBuilder.Build(Assignment, Spec.Services["api"], new Dictionary<string, int>(), Addresses, _ => null));
        Assert.Equal("env FROM_DAEMON of service 'api': $E:REGION is not set in the daemon's environment", ex.Message);
    }

    [Fact]
    public void A_reference_to_a_service_without_running_replica_cannot_be_resolved_yet()
    {
        var ex = Assert.Throws<LaunchException>(() => LaunchSpecBuilder.Build(Assignment, Spec.Services["api"], new Dictionary<string, int>(), new Dictionary<string, ServiceAddress>(), _ => "x"));
        Assert.Contains("service 'db' has no running replica", ex.Message);
    }

    [Fact]
    public void Secret_references_are_refused_until_the_node_has_a_secret_store()
    {
        var ex = Assert.Throws<LaunchException>(() => LaunchSpecBuilder.Resolve("api", "PW", "$S:db-password", Addresses, _ => null));
        Assert.Contains("need the secret store", ex.Message);
    }
}
