using System.Text.Json.Nodes;
using ZLayer.Networking.Cni;

namespace ZLayer.Networking.Tests.Cni;

public sealed class ConflistExecutorTests
{
    private static readonly NetworkConfigList List = new("net1", "1.0.0", disableCheck: false,
    [
        new JsonObject { ["type"] = "bridge", ["name"] = "ignored", ["cniVersion"] = "0.3.1" },
        new JsonObject { ["type"] = "portmap", ["capabilities"] = new JsonObject { ["portMappings"] = true, ["bandwidth"] = false } },
    ]);

    private static readonly JsonObject Args = new()
    {
        ["portMappings"] = new JsonArray(new JsonObject { ["hostPort"] = 8080, ["containerPort"] = 80, ["protocol"] = "tcp" }),
        ["bandwidth"] = new JsonObject { ["ingressRate"] = 1 },
    };

    [Fact]
    public void Each_plugin_gets_the_lists_name_and_version()
    {
        var config = ConflistExecutor.PluginConfig(List, 0, Args, prevResult: null);

        Assert.Equal("net1", (string?)config["name"]);
        Assert.Equal("1.0.0", (string?)config["cniVersion"]);
        Assert.Null(config["prevResult"]);
    }

    [Fact]
    public void Capability_arguments_go_only_to_plugins_that_declare_the_capability()
    {
        var bridge = ConflistExecutor.PluginConfig(List, 0, Args, prevResult: null);
        var portmap = ConflistExecutor.PluginConfig(List, 1, Args, prevResult: null);

        Assert.Null(bridge["runtimeConfig"]);
        var runtimeConfig = Assert.IsType<JsonObject>(portmap["runtimeConfig"]);
        Assert.Equal(["portMappings"], runtimeConfig.Select(p => p.Key));
        Assert.Equal(8080, (int?)runtimeConfig["portMappings"]![0]!["hostPort"]);
    }

    [Fact]
    public void The_previous_result_is_passed_as_given_and_the_list_is_not_changed()
    {
        var previous = new JsonObject { ["cniVersion"] = "1.0.0", ["custom"] = "kept" };

        var config = ConflistExecutor.PluginConfig(List, 1, Args, previous);

        Assert.True(JsonNode.DeepEquals(previous, config["prevResult"]));
        Assert.Null(List.Plugins[1]["prevResult"]);
        Assert.Null(List.Plugins[1]["runtimeConfig"]);
    }

    [Fact]
    public void A_plugin_type_that_is_a_path_is_refused()
    {
        var error = Assert.Throws<CniConfigurationException>(() =>
            new NetworkConfigList("net1", "1.0.0", false, [new JsonObject { ["type"] = "../../bin/sh" }]));
        Assert.Equal("network net1 plugins[0]: plugin type '../../bin/sh' is not a file name in the plugin directories", error.Message);
    }
}
