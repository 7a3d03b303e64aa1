using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using ZLayer.Proxy.Metrics;
using ZLayer.Proxy.Tests.Support;
using static ZLayer.Proxy.Tests.Support.Routes;

namespace ZLayer.Proxy.Tests;

public class MetricsTests
{
    [Fact]
    public async Task Requests_are_counted_by_service_and_status_class_and_read_as_rates_per_backend()
    {
        await using var ok = await TestBackend.StartAsync("ok");
        await using var missing = await TestBackend.StartAsync("missing", context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        var counted = new List<(string Service, string Status, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ProxyMetrics.MeterName && instrument.Name == "zlayer.proxy.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString() ?? "");
            if (all["deployment"] == "demo")
            {
                lock (counted)
                {
                    counted.Add((all["service"], all["status_class"], value));
                }
            }
        });
        listener.Start();

        await using var proxy = ProxyHarness.Create();
        var rates = proxy.Proxy.CreateRequestRateReader();
        var port = Ports.Free();
        await proxy.ApplyAsync(
            Input("api", Endpoint(port, path: "/api"), ok.Address()),
            Input("web", Endpoint(port), missing.Address()));
        rates.Read();

        for (var i = 0; i < 3; i++)
        {
            await proxy.GetAsync($"http://127.0.0.1:{port}/api/x");
        }

        await proxy.GetAsync($"http://127.0.0.1:{port}/nothing");
        var reading = rates.Read();

        lock (counted)
        {
            Assert.Equal(3, counted.Where(c => c is { Service: "api", Status: "2xx" }).Sum(c => c.Value));
            Assert.Equal(1, counted.Where(c => c is { Service: "web", Status: "4xx" }).Sum(c => c.Value));
        }

        Assert.True(reading.Single(r => r.Service == "api").RequestsPerSecond > 0);
        Assert.True(reading.Single(r => r.Service == "api").RequestsPerSecond > reading.Single(r => r.Service == "web").RequestsPerSecond);
        Assert.Equal("ok", reading.Single(r => r.Service == "api").ReplicaId);
    }
}
