using ZLayer.Bench;

// Benchmarks print one result line each and, with --write, record them in docs/PERFORMANCE.md.
return args switch
{
    ["spec-load", .. var rest] => SpecLoadBenchmark.Run(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench spec-load [--services N] [--iterations N] [--stages]");
    return 2;
}
