using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

/// <summary>A typical web + db + redis project, checked field by field.</summary>
public sealed class RealisticProjectTests : IDisposable
{
    private const string Compose =
        """
        name: storefront

        x-restart: &restart
          restart: unless-stopped

        services:
          web:
            <<: *restart
            image: ghcr.io/acme/storefront:${WEB_TAG:-2.4.1}
            command: ["gunicorn", "app:create_app()", "--bind", "0.0.0.0:8000"]
            env_file: .env.web
            environment:
              DATABASE_URL: postgres://shop:${DB_PASSWORD}@db:5432/shop
              REDIS_URL: redis://redis:6379/0
            ports:
              - "80:8000"
            depends_on:
              db:
                condition: service_healthy
              redis:
                condition: service_started
            healthcheck:
              test: ["CMD", "curl", "-fsS", "http://localhost:8000/healthz"]
              interval: 15s
              timeout: 5s
              retries: 3
              start_period: 20s
            deploy:
              replicas: 2
              resources:
                limits:
                  cpus: "0.75"
                  memory: 768M
            volumes:
              - ./media:/srv/media

          db:
            <<: *restart
            image: postgres:16-alpine
            environment:
              POSTGRES_USER: shop
              POSTGRES_DB: shop
              POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD}
            volumes:
              - db-data:/var/lib/postgresql/data
            healthcheck:
              test: ["CMD-SHELL", "pg_isready -U shop -d shop"]
              interval: 5s
              timeout: 3s
              retries: 10
            shm_size: 128mb

          redis:
            image: redis:7-alpine
            command: redis-server --appendonly yes --maxmemory 256mb
            volumes:
              - redis-data:/data
            healthcheck:
              test: redis-cli ping
              interval: 10s

        volumes:
          db-data:
          redis-data:
        """;

    private readonly TempProject _project = new();

    public RealisticProjectTests()
    {
        _project.Write(".env", "DB_PASSWORD=correct-horse\n");
        _project.Write(".env.web", "SECRET_KEY=\"s3cr3t\"\nLOG_LEVEL=info\n");
    }

    public void Dispose() => _project.Dispose();

    private LoadResult LoadProject() => LoadFiles([_project.Write("compose.yaml", Compose)]);

    [Fact]
    public void Loads_without_diagnostics()
    {
        var result = LoadProject();
        result.Clean();
        Assert.Equal("v1", result.Model.Version);
        Assert.Equal("storefront", result.Model.Deployment);
        Assert.Equal(["web", "db", "redis"], result.Model.Services.Keys);
    }

    [Fact]
    public void Web_service()
    {
        var web = LoadProject().Service("web");
        Assert.Equal("web", web.Name);
        Assert.Equal("ghcr.io/acme/storefront:2.4.1", web.Image!.Name.Canonical);
        Assert.Equal(PullPolicy.IfNotPresent, web.Image.PullPolicy);
        Assert.Equal(["gunicorn", "app:create_app()", "--bind", "0.0.0.0:8000"], web.Command!.Args);
        Assert.True(web.Command.KeepImageEntrypoint);
        Assert.Null(web.Command.Entrypoint);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["SECRET_KEY"] = "s3cr3t",
                ["LOG_LEVEL"] = "info",
                ["DATABASE_URL"] = "postgres://shop:correct-horse@db:5432/shop",
                ["REDIS_URL"] = "redis://redis:6379/0",
            },
            web.Env);
        var port = web.PortMappings.Single();
        Assert.Equal(((ushort)8000, (ushort?)80, TransportProtocol.Tcp, "0.0.0.0"), (port.ContainerPort, port.HostPort, port.Protocol, port.HostIp));
        Assert.Empty(web.Endpoints);
        Assert.Equal(
            [("db", DependsCondition.Healthy, TimeoutAction.Fail), ("redis", DependsCondition.Started, TimeoutAction.Fail)],
            web.Depends.Select(d => (d.Service, d.Condition, d.OnTimeout)));
        Assert.Equal("curl -fsS http://localhost:8000/healthz", web.Health!.Check.Command);
        Assert.Equal(HealthCheckType.Command, web.Health.Check.Type);
        Assert.Equal(
            (TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), 3u, TimeSpan.FromSeconds(20)),
            (web.Health.Interval!.Value.Value, web.Health.Timeout!.Value.Value, web.Health.Retries, web.Health.StartGrace!.Value.Value));
        Assert.Equal((ScaleMode.Fixed, 2u), (web.Scale!.Mode, web.Scale.Replicas!.Value));
        Assert.Equal((0.75, "768Mi"), (web.Resources!.Cpu!.Value, web.Resources.Memory!.Value.Text));
        Assert.Equal(RestartKind.UnlessStopped, web.RestartPolicy!.Kind);
        var media = web.Storage.Single();
        Assert.Equal((StorageType.Bind, _project.PathOf("media"), "/srv/media", false), (media.Type, media.Source, media.Target, media.Readonly));
        Assert.Equal(NetworkMode.Default, web.NetworkMode);
    }

    [Fact]
    public void Db_service()
    {
        var db = LoadProject().Service("db");
        Assert.Equal("docker.io/library/postgres:16-alpine", db.Image!.Name.Canonical);
        Assert.Null(db.Command);
        Assert.Equal(["POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD"], db.Env.Keys);
        Assert.Equal("correct-horse", db.Env["POSTGRES_PASSWORD"]);
        Assert.Equal("pg_isready -U shop -d shop", db.Health!.Check.Command);
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3), 10u), (db.Health.Interval!.Value.Value, db.Health.Timeout!.Value.Value, db.Health.Retries));
        Assert.Equal(
            [(StorageType.Named, "db-data", "/var/lib/postgresql/data", (string?)null), (StorageType.Tmpfs, null, "/dev/shm", "128Mi")],
            db.Storage.Select(s => (s.Type, s.Name, s.Target, s.Size)));
        Assert.Equal((ScaleMode.Fixed, 1u), (db.Scale!.Mode, db.Scale.Replicas!.Value));
        Assert.Equal(RestartKind.UnlessStopped, db.RestartPolicy!.Kind);
        Assert.Empty(db.Depends);
        Assert.Empty(db.PortMappings);
    }

    [Fact]
    public void Redis_service()
    {
        var redis = LoadProject().Service("redis");
        Assert.Equal("docker.io/library/redis:7-alpine", redis.Image!.Name.Canonical);
        Assert.Equal(["redis-server", "--appendonly", "yes", "--maxmemory", "256mb"], redis.Command!.Args);
        Assert.Equal("redis-cli ping", redis.Health!.Check.Command);
        Assert.Equal(TimeSpan.FromSeconds(10), redis.Health.Interval!.Value.Value);
        Assert.Equal(TimeSpan.FromSeconds(30), redis.Health.Timeout!.Value.Value);
        Assert.Equal("redis-data", redis.Storage.Single().Name);
        Assert.Equal(RestartKind.No, redis.RestartPolicy!.Kind);
    }

    [Fact]
    public void Locations_point_into_the_compose_file()
    {
        var result = LoadProject();
        var web = result.Service("web");
        var file = web.Location.File;
        Assert.Equal(_project.PathOf("compose.yaml"), Path.GetFullPath(file));
        Assert.Equal((8, 5), (web.Location.Line, web.Location.Column));
        Assert.Equal(9, web.LocationOf("image").Line);
        Assert.Equal(12, web.LocationOf("env").Line);
        Assert.Equal(15, web.LocationOf("port_mappings").Line);
        Assert.Equal(17, web.LocationOf("depends").Line);
        Assert.Equal((18, 7), (web.Depends[0].Location.Line, web.Depends[0].Location.Column));
        Assert.Equal(22, web.LocationOf("health").Line);
        Assert.Equal(29, web.LocationOf("scale").Line);
        Assert.Equal(32, web.Resources!.LocationOf("cpu").Line);
        Assert.Equal(1, result.Model.LocationOf("deployment").Line);
    }

    [Fact]
    public void A_missing_required_variable_stops_nothing_else()
    {
        File.Delete(_project.PathOf(".env"));
        var result = LoadProject();
        var error = Assert.Single(result.Errors);
        Assert.Equal("required variable DB_PASSWORD is missing a value: set DB_PASSWORD", error.Message);
        Assert.Equal((43, 26), (error.Location.Line, error.Location.Column));
        Assert.Equal(3, result.Model.Services.Count);
    }
}
