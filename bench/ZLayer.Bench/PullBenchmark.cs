using System.Diagnostics;
using ZLayer.Images;
using ZLayer.Images.Pull;
using ZLayer.Spec.Values;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Registry;
using ZLayer.TestImages.Tools;
using static ZLayer.Bench.Measure;

namespace ZLayer.Bench;

/// <summary>
/// Pull and unpack of a multi-layer image from a local docker-registry: zlayer's image service
/// against `skopeo copy docker://… oci:…` followed by `umoci raw unpack` (the daemonless tools
/// people script with), same image, same registry, same run. Then a second image that shares all
/// but one layer, to show what a pull transfers when most layers are already stored.
/// </summary>
public static class PullBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var layers = Options.Int(args, "--layers", 6);
        var megabytes = Options.Int(args, "--layer-mb", 8);
        var runs = Options.Int(args, "--runs", 3);
        var root = Directory.CreateTempSubdirectory("zlayer-bench-pull-").FullName;
        try
        {
            await using var registry = await RegistryServer.StartAnonymousAsync();
            // Built once and used by both images, so the shared layers have the same digests.
            var shared = Enumerable.Range(0, layers - 1).Select(i => LayerBuilder.RandomLayer(megabytes, seed: 100 + i, fileCount: 16)).ToList();
            var image = WithTop(shared, LayerBuilder.RandomLayer(megabytes, seed: 200, fileCount: 16));
            var updated = WithTop(shared, LayerBuilder.RandomLayer(megabytes, seed: 999, fileCount: 16));
            using (var upload = new RegistryUpload(registry))
            {
                await upload.PushAsync(image, "bench/app", "1");
                await upload.PushAsync(updated, "bench/app", "2");
            }

            var size = image.Layers.Sum(l => l.Size) / (1024.0 * 1024.0);
            var ours = new List<double>();
            var theirs = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                ours.Add((await ZLayerPullAsync(Path.Combine(root, $"zlayer-{run}"), registry.Host, "1")).Elapsed.TotalMilliseconds);
                theirs.Add((await SkopeoUmociAsync(Path.Combine(root, $"skopeo-{run}"), registry.Host)).TotalMilliseconds);
            }

            Console.WriteLine(Line($"pull image={layers}x{megabytes}MB compressed={size:F1}MB runs={runs} zlayer_median={Median(ours):F0}ms skopeo+umoci_median={Median(theirs):F0}ms"));

            var store = Path.Combine(root, "shared");
            await ZLayerPullAsync(store, registry.Host, "1");
            var second = await ZLayerPullAsync(store, registry.Host, "2");
            Console.WriteLine(Line($"pull-update shared_layers={layers - 1} fetched_blobs={second.Fetched} fetched_mb={second.FetchedBytes / (1024.0 * 1024.0):F1} elapsed={Ms(second.Elapsed)}"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static BuiltImage WithTop(IEnumerable<LayerBuilder> lower, LayerBuilder top)
    {
        var builder = new OciImageBuilder();
        foreach (var layer in lower.Append(top))
        {
            builder.Layer(layer);
        }

        return builder.Build();
    }

    private static async Task<(TimeSpan Elapsed, int Fetched, long FetchedBytes)> ZLayerPullAsync(string data, string host, string tag)
    {
        var fetched = 0;
        long bytes = 0;
        using var service = new ImageService(data, dockerConfigPath: Path.Combine(data, "none.json"));
        var sw = Stopwatch.StartNew();
        await service.PullAsync(ImageReference.Parse($"{host}/bench/app:{tag}"), new Counting(p =>
        {
            if (p.Phase == PullPhase.Downloaded)
            {
                Interlocked.Increment(ref fetched);
                Interlocked.Add(ref bytes, p.Total);
            }
        }));
        return (sw.Elapsed, fetched, bytes);
    }

    private static async Task<TimeSpan> SkopeoUmociAsync(string dir, string host)
    {
        Directory.CreateDirectory(dir);
        var sw = Stopwatch.StartNew();
        (await ExternalTool.RunAsync("skopeo", ["copy", "--quiet", "--src-tls-verify=false", $"docker://{host}/bench/app:1", $"oci:{dir}/layout:1"])).EnsureSuccess();
        (await ExternalTool.RunAsync("umoci", ["raw", "unpack", "--rootless", "--image", $"{dir}/layout:1", $"{dir}/rootfs"])).EnsureSuccess();
        return sw.Elapsed;
    }

    private sealed class Counting(Action<PullProgress> report) : IProgress<PullProgress>
    {
        public void Report(PullProgress value) => report(value);
    }
}
