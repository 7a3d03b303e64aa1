using ZLayer.Proxy.Routing;

namespace ZLayer.Proxy.Hosting;

/// <summary>One open port. Its plan can be replaced while it runs; connections already open keep going.</summary>
internal interface IListenerHost : IAsyncDisposable
{
    PortPlan Plan { get; set; }

    Task StartAsync(CancellationToken token);
}
