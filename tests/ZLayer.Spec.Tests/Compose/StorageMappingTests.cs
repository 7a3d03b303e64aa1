using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

public sealed class StorageMappingTests
{
    [Fact]
    public void Short_syntax_decides_bind_named_and_anonymous_like_docker()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                volumes:
                  - ./site:/usr/share/nginx/html:ro
                  - ../shared:/shared
                  - /var/log/web:/logs:rw
                  - ~/certs:/certs:ro
                  - data:/data
                  - /cache
            volumes:
              data:
            """,
            Env(("HOME", "/home/alice")));
        result.Clean();
        var storage = result.Service("web").Storage;
        Assert.Equal(
            [
                (StorageType.Bind, "/nonexistent/zlayer-tests/shop/site", "/usr/share/nginx/html", true),
                (StorageType.Bind, "/nonexistent/zlayer-tests/shared", "/shared", false),
                (StorageType.Bind, "/var/log/web", "/logs", false),
                (StorageType.Bind, "/home/alice/certs", "/certs", true),
                (StorageType.Named, "data", "/data", false),
                (StorageType.Anonymous, null, "/cache", false),
            ],
            storage.Select(s => (s.Type, s.Source ?? s.Name, s.Target, s.Readonly)));
        Assert.Equal("services.web.volumes[4]", storage[4].SpecPath);
    }

    [Fact]
    public void Long_syntax_bind_volume_and_tmpfs()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                volumes:
                  - type: bind
                    source: ./conf
                    target: /etc/nginx/conf.d
                    read_only: true
                  - type: volume
                    source: db_data
                    target: /var/lib/data
                  - type: volume
                    target: /scratch
                  - type: tmpfs
                    target: /tmp
                    tmpfs:
                      size: 64m
                      mode: 1777
            volumes:
              db_data:
                name: Shop_DB
            """);
        result.Clean();
        var storage = result.Service("web").Storage;
        Assert.Equal((StorageType.Bind, "/nonexistent/zlayer-tests/shop/conf", true), (storage[0].Type, storage[0].Source, storage[0].Readonly));
        // Volume names are made valid ZLayer names; an explicit 'name:' is used over the key.
        Assert.Equal((StorageType.Named, "shop-db"), (storage[1].Type, storage[1].Name));
        Assert.Equal(StorageType.Anonymous, storage[2].Type);
        Assert.Equal((StorageType.Tmpfs, "64Mi", 0x3FFu), (storage[3].Type, storage[3].Size, storage[3].Mode!.Value.Value));
    }

    [Fact]
    public void An_undeclared_named_volume_is_an_error()
    {
        var result = Load(
            """
            services:
              db:
                image: postgres
                volumes:
                  - pgdata:/var/lib/postgresql/data
            """);
        var error = result.Single("uses volume 'pgdata', which is not declared");
        Assert.Equal("compose-reference", error.Code);
        At(error, 5, 9);
        Assert.Empty(result.Service("db").Storage);
    }

    [Fact]
    public void Tmpfs_and_shm_size()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                tmpfs:
                  - /run
                  - /tmp:size=100m,mode=1770,noexec
                shm_size: 1gb
            """);
        var storage = result.Service("web").Storage;
        Assert.Equal([("/run", null), ("/tmp", "100Mi"), ("/dev/shm", "1024Mi")], storage.Select(s => (s.Target, s.Size)));
        Assert.All(storage, s => Assert.Equal(StorageType.Tmpfs, s.Type));
        Assert.Equal(Convert.ToUInt32("1770", 8), storage[1].Mode!.Value.Value);
        Assert.Equal("compat", result.Single("tmpfs options noexec").Code);
    }

    [Fact]
    public void A_size_that_is_not_whole_KiB_is_rounded_up_with_a_warning()
    {
        var result = Load("services: {web: {image: nginx, shm_size: 1000}}");
        Assert.Equal("1Ki", result.Service("web").Storage.Single().Size);
        Assert.Contains("rounded up to 1Ki", result.Single("not a whole number of KiB").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_secrets_and_configs_become_read_only_binds()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                secrets:
                  - db_password
                  - source: api_key
                    target: api.key
                configs:
                  - nginx_conf
                  - source: app_conf
                    target: /etc/app/app.conf
                    mode: 0440
            secrets:
              db_password:
                file: ./secrets/db_password.txt
              api_key:
                file: /etc/acme/api.key
            configs:
              nginx_conf:
                file: ./nginx.conf
              app_conf:
                file: ./app.conf
            """);
        var storage = result.Service("web").Storage;
        Assert.Equal(
            [
                ("/nonexistent/zlayer-tests/shop/secrets/db_password.txt", "/run/secrets/db_password"),
                ("/etc/acme/api.key", "/run/secrets/api.key"),
                ("/nonexistent/zlayer-tests/shop/nginx.conf", "/nginx_conf"),
                ("/nonexistent/zlayer-tests/shop/app.conf", "/etc/app/app.conf"),
            ],
            storage.Select(s => (s.Source!, s.Target)));
        Assert.All(storage, s => Assert.True(s.Type == StorageType.Bind && s.Readonly));
        At(result.Single("'configs.mode' is not supported"), 12, 9);
    }

    [Fact]
    public void Environment_and_content_sources_are_named_as_unsupported()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                secrets: [token]
                configs: [inline]
            secrets:
              token:
                environment: API_TOKEN
            configs:
              inline:
                content: "hello"
            """);
        result.NoErrors();
        Assert.Empty(result.Service("web").Storage);
        At(result.Single("'secrets.token.environment' is not supported"), 8, 5);
        At(result.Single("'configs.inline.content' is not supported"), 11, 5);
    }

    [Fact]
    public void Undeclared_secrets_and_duplicate_mount_targets_are_errors()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                volumes: ["./a:/data", "./b:/data"]
                secrets: [nope]
            """);
        At(result.Single("two mounts at '/data'"), 4, 28);
        At(result.Single("uses secret 'nope', which is not declared"), 5, 15);
    }
}
