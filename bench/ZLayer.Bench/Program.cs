using ZLayer.Bench;

// Benchmarks print one result line per measurement; docs/PERFORMANCE.md records them with the command.
return args switch
{
    ["api", .. var rest] => await ApiBenchmark.RunAsync(rest),
    ["spec-load", .. var rest] => SpecLoadBenchmark.Run(rest),
    ["engine", .. var rest] => await EngineBenchmark.RunAsync(rest),
    ["pull", .. var rest] => await PullBenchmark.RunAsync(rest),
    ["containers", .. var rest] => await ContainerBenchmark.RunAsync(rest),
    ["dns", .. var rest] => await DnsBenchmark.RunAsync(rest),
    ["dns-serve", .. var rest] => await DnsBenchmark.ServeAsync(rest),
    ["docker", .. var rest] => await DockerBenchmark.RunAsync(rest),
    ["proxy", .. var rest] => await ProxyBenchmark.RunAsync(rest),
    ["proxy-serve", .. var rest] => await ProxyBenchmark.ServeAsync(rest),
    ["events", .. var rest] => await EventFanOutBenchmark.RunAsync(rest),
    ["metrics", .. var rest] => MetricsBenchmark.Run(rest),
    ["autoscale", .. var rest] => await AutoscaleBenchmark.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench api [--deployments N] [--rate N] [--seconds N] [--token T] [-- SERVE-ARGS]\n       bench spec-load [--services N] [--iterations N] [--stages]\n       bench engine [--replicas N] [--healthy N] [--zlayer PATH]\n       bench pull [--layers N] [--layer-mb N] [--runs N]\n       bench containers [--runs N] [--replicas N] [--zlayer PATH]\n       bench dns [--seconds N] [--clients N] [--port N]\n       bench docker [--runs N]\n       bench proxy [--duration SECONDS] [--connections N]\n       bench events [--subscribers N] [--events N] [--transport sse|ws|both]\n       bench metrics [--requests N] [--rounds N]\n       bench autoscale [--runs N] [--zlayer PATH]");
    return 2;
}
