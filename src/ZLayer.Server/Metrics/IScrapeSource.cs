namespace ZLayer.Server.Metrics;

/// <summary>
/// Metrics read from somewhere slow (the store, the container runtime) once per scrape rather than
/// kept up to date all the time: the collector refreshes each source, then reads the observable
/// instruments that publish the refreshed values.
/// </summary>
public interface IScrapeSource
{
    Task RefreshAsync(CancellationToken cancellationToken);
}
