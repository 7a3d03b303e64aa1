using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

/// <summary>A compose field that is not carried over is always named in a warning, at its place.</summary>
public sealed class UnsupportedFieldTests
{
    [Fact]
    public void Every_unsupported_service_field_is_named()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                container_name: web1
                logging: {driver: json-file}
                links: [db]
                mac_address: 02:42:ac:11:00:02
                blkio_config: {weight: 300}
                cpu_rt_runtime: 400ms
                some_future_field: 1
              db: {image: postgres}
            """);
        result.NoErrors();
        var expected = new (string Field, int Line)[]
        {
            ("container_name", 4), ("logging", 5), ("links", 6), ("mac_address", 7),
            ("blkio_config", 8), ("cpu_rt_runtime", 9), ("some_future_field", 10),
        };
        foreach (var (field, line) in expected)
        {
            var warning = result.Single($"compose field '{field}' is not supported and is ignored");
            Assert.Equal("compat", warning.Code);
            Assert.False(warning.IsError);
            At(warning, line, 5);
            Assert.Equal($"services.web.{field}", warning.Path);
        }

        Assert.Equal(expected.Length, result.Warnings.Count);
    }

    [Fact]
    public void Known_fields_say_why()
    {
        var result = Load("services: {web: {image: nginx, container_name: web1, links: [db]}, db: {image: postgres}}");
        Assert.EndsWith("replicas get their own names", result.Single("'container_name'").Message, StringComparison.Ordinal);
        Assert.EndsWith("services reach each other by name", result.Single("'links'").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_next_to_an_image_is_ignored_with_a_warning()
    {
        var result = Load("services:\n  web:\n    image: acme/web:1\n    build: .\n");
        result.NoErrors();
        var warning = result.Single("compose field 'build' is not supported");
        Assert.Contains("the image is pulled, not built", warning.Message, StringComparison.Ordinal);
        At(warning, 4, 5);
    }

    [Fact]
    public void Top_level_keys_version_and_networks()
    {
        var result = Load(
            """
            version: "3.9"
            services:
              web:
                image: nginx
                networks: [front, back]
            networks:
              front:
                driver: bridge
              back:
            secretz: {}
            """);
        result.NoErrors();
        At(result.Single("top-level 'version' is obsolete"), 1, 1);
        At(result.Single("compose field 'secretz' is not supported"), 10, 1);
        var network = result.Single("compose field 'networks.front' is not supported");
        Assert.Contains("driver", network.Message, StringComparison.Ordinal);
        At(network, 7, 3);
        At(result.Single("attached to networks front, back"), 5, 5);
    }

    [Fact]
    public void Network_options_are_named_and_undeclared_networks_are_errors()
    {
        var result = Load(
            """
            services:
              web:
                image: nginx
                networks:
                  default:
                    aliases: [www]
                  ghost:
            """);
        At(result.Single("'networks.default.aliases' is not supported"), 6, 9);
        var error = result.Single("uses network 'ghost'");
        Assert.True(error.IsError);
        At(error, 7, 7);
    }

    [Fact]
    public void External_volumes_and_volume_drivers_are_warned_about()
    {
        var result = Load(
            """
            services:
              web: {image: nginx, volumes: ["data:/data", "logs:/logs"]}
            volumes:
              data:
                external: true
              logs:
                driver: local
                driver_opts: {type: none}
            """);
        result.NoErrors();
        At(result.Single("volume 'data' is external"), 5, 5);
        At(result.Single("'volumes.logs.driver' is not supported"), 7, 5);
        At(result.Single("'volumes.logs.driver_opts' is not supported"), 8, 5);
        Assert.Equal(2, result.Service("web").Storage.Count);
    }
}
