using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZLayer.Spec.Loading;

namespace ZLayer.Bench;

/// <summary>
/// Time to load (read, bind, normalise, validate) one large spec: a deployment of N services,
/// each with an endpoint, health check, dependencies, env and resources, as real specs have.
/// </summary>
public static class SpecLoadBenchmark
{
    public static int Run(string[] args)
    {
        var services = Options.Int(args, "--services", 2000);
        var iterations = Options.Int(args, "--iterations", 20);
        var text = Generate(services);
        var file = Path.Combine(Path.GetTempPath(), $"zlayer-bench-{services}.zlayer.yaml");
        File.WriteAllText(file, text);

        // Warm-up: JIT and reflection caches, as a long-running daemon would have them.
        var first = Stopwatch.StartNew();
        var warm = SpecLoader.LoadFiles([file]);
        first.Stop();
        if (!warm.Succeeded)
        {
            Console.Error.WriteLine(string.Join('\n', warm.Diagnostics.Take(5)));
            return 1;
        }

        var times = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            var sw = Stopwatch.StartNew();
            SpecLoader.LoadFiles([file]);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        if (args.Contains("--stages"))
        {
            var bag = new ZLayer.Spec.Diagnostics.DiagnosticBag();
            var t0 = Stopwatch.StartNew();
            var root = ZLayer.Spec.Yaml.YamlTreeReader.Read(text, file, bag)!;
            var t1 = t0.Elapsed.TotalMilliseconds;
            var spec = new ZLayer.Spec.Binding.SpecBinder(bag).Bind<ZLayer.Spec.Model.DeploymentSpec>(root, "")!;
            var t2 = t0.Elapsed.TotalMilliseconds;
            ZLayer.Spec.Loading.SpecNormalizer.Normalize(spec, bag);
            ZLayer.Spec.Validation.SpecValidator.Validate(spec, bag);
            var t3 = t0.Elapsed.TotalMilliseconds;
            Console.WriteLine($"stages: read={t1:F0}ms bind={t2 - t1:F0}ms validate={t3 - t2:F0}ms");
        }

        var median = times[times.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"spec-load services={services} bytes={text.Length} first={first.Elapsed.TotalMilliseconds:F0}ms median={median:F1}ms min={times[0]:F1}ms max={times[^1]:F1}ms iterations={iterations}"));
        File.Delete(file);
        return 0;
    }

    public static string Generate(int services)
    {
        var sb = new StringBuilder("version: v1\ndeployment: bench\nservices:\n");
        for (var i = 0; i < services; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""
                  svc-{i}:
                    image: {"{"} name: registry.local:5000/team/app-{i % 50}:1.{i % 7} {"}"}
                    env:
                      LOG_LEVEL: info
                      INDEX: "{i}"
                    resources: {"{"} cpu: 0.5, memory: 256Mi {"}"}
                    endpoints:
                      - {"{"} name: http, protocol: http, port: 8080, target_port: 3000, host: svc-{i}.example.com {"}"}
                    health:
                      interval: 10s
                      check: {"{"} type: http, url: "http://localhost:3000/healthz" {"}"}
                    scale: {"{"} mode: adaptive, min: 1, max: 5, targets: {"{"} cpu: 70 {"}"} {"}"}

                """);
            if (i > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    depends: [{{ service: svc-{i - 1}, condition: healthy }}]\n");
            }
        }

        return sb.ToString();
    }
}
