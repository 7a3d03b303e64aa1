using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ZLayer.TestImages.Tools;

namespace ZLayer.EndToEnd;

/// <summary>The quickstart's demo server: answers, reports its name, stops gracefully on SIGTERM.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DemoServerTests
{

    [Fact]
    public async Task Serves_health_and_identity_then_stops_on_sigterm_with_exit_0()
    {
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo(Path.Combine(ZLayerProcess.RepositoryRoot, "zlayer"), ["demo-server", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", "web-1"])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpResponseMessage? health = null;
        while (health is null)
        {
            try
            {
                health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var identity = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/")))!;
        Assert.Equal("web-1", identity["served_by"]!.GetValue<string>());
        Assert.Equal(process.Id, identity["pid"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/nope"))).StatusCode);

        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(exit.Token);
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("demo-server web-1 stopped after 3 requests", await output);
    }
}
