using ZLayer.Bench;

// Benchmarks print one result line per measurement; docs/PERFORMANCE.md records them with the command.
return args switch
{
    ["spec-load", .. var rest] => SpecLoadBenchmark.Run(rest),
    ["engine", .. var rest] => await EngineBenchmark.RunAsync(rest),
    ["pull", .. var rest] => await PullBenchmark.RunAsync(rest),
    ["containers", .. var rest] => await ContainerBenchmark.RunAsync(rest),
    ["dns", .. var rest] => await DnsBenchmark.RunAsync(rest),
    ["dns-serve", .. var rest] => await DnsBenchmark.ServeAsync(rest),
    ["docker", .. var rest] => await DockerBenchmark.RunAsync(rest),
    ["proxy", .. var rest] => await ProxyBenchmark.RunAsync(rest),
    ["proxy-serve", .. var rest] => await ProxyBenchmark.ServeAsync(rest),
    ["autoscale", .. var rest] => await AutoscaleBenchmark.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench spec-load [--services N] [--iterations N] [--stages]\n       bench engine [--replicas N] [--healthy N] [--zlayer PATH]\n       bench pull [--layers N] [--layer-mb N] [--runs N]\n       bench containers [--runs N] [--replicas N] [--zlayer PATH]\n       bench dns [--seconds N] [--clients N] [--port N]\n       bench docker [--runs N]\n       bench proxy [--duration SECONDS] [--connections N]\n       bench autoscale [--runs N] [--zlayer PATH]");
    return 2;
}
