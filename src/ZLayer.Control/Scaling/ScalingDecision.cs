namespace ZLayer.Control.Scaling;

/// <summary>
/// One metric as the autoscaler saw it when it decided: the smoothed value per replica, the
/// spec's target, and the replica count that metric alone asked for.
/// </summary>
/// <param name="Metric"><c>cpu</c> and <c>memory</c> (percent of the limit), or <c>rps</c> (requests per second per replica).</param>
public sealed record MetricReading(string Metric, double Observed, double Target, int Wanted)
{
    public override string ToString() => Metric switch
    {
        "rps" => $"rps {Observed:0.#}/{Target:0.#} per replica",
        _ => $"{Metric} {Observed:0.#}%/{Target:0.#}%",
    };
}

/// <summary>A change of replica count the autoscaler made, with the readings that caused it.</summary>
/// <param name="Reason"><c>load</c> (a metric is above or below its target) or <c>bounds</c> (the count was outside min..max).</param>
public sealed record ScalingDecision(DateTimeOffset Time, int From, int To, string Reason, IReadOnlyList<MetricReading> Metrics)
{
    /// <summary>The event message: direction, counts and every reading, so the log alone explains it.</summary>
    public string Describe()
    {
        var direction = To > From ? "up" : "down";
        var readings = Metrics.Count == 0 ? "" : $": {string.Join(", ", Metrics)}";
        return $"autoscaler scaled {direction} from {From} to {To} ({Reason}){readings}";
    }
}

/// <summary>What the store keeps of one service's autoscaling: its latest decisions, newest last.</summary>
public sealed record AutoscalerRecord(string Deployment, string Service, IReadOnlyList<ScalingDecision> Decisions);
