using System.Diagnostics;
using ZLayer.Runtime;
using ZLayer.Runtime.Docker;
using ZLayer.Runtime.Runc;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.TestImages.Engines;
using ZLayer.TestImages.Images;
using ZLayer.TestImages.Registry;
using static ZLayer.Bench.Measure;

namespace ZLayer.Bench;

/// <summary>
/// The docker runtime against the Docker CLI on the same private dockerd, in one run: the
/// runtime's create + start of one busybox replica until the engine reports it running, against
/// `docker run -d` of the same image (pulled beforehand from a local registry) on the same
/// deployment network. Runs alternate, so both meet the same machine load. A created replica
/// keeps the deployment's network in place, so neither side pays for making it.
/// </summary>
public static class DockerBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Options.Int(args, "--runs", 10);
        var root = Directory.CreateTempSubdirectory("zlayer-bench-docker-").FullName;
        try
        {
            await using var registry = await RegistryServer.StartAnonymousAsync();
            var image = new OciImageBuilder().Layer(l => l.Busybox()).Cmd("sleep", "100000").Build();
            using (var upload = new RegistryUpload(registry))
            {
                await upload.PushAsync(image, "bench/busybox", "1");
            }

            var reference = ImageReference.Parse($"{registry.Host}/bench/busybox:1");
            await using var dockerd = await DockerdServer.StartAsync();
            using var engine = await DockerEngine.ConnectAsync(dockerd.SocketPath);
            using var runtime = new DockerRuntime(engine, new NamedVolumes(Path.Combine(root, "volumes")), scope: "bench", ownsEngine: false);
            var anchor = await runtime.CreateAsync(Replica(reference, "anchor"));
            var network = runtime.NetworkOf("bench");
            var name = $"{registry.Host}/bench/busybox:1";
            await dockerd.CliAsync("pull", name);

            var ours = new List<double>();
            var theirs = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                var handle = await runtime.CreateAsync(Replica(reference, $"r{i}"));
                await runtime.StartAsync(handle);
                if ((await runtime.InspectAsync(handle)).Status != RuntimeStatus.Running)
                {
                    throw new InvalidOperationException($"replica {handle.ReplicaId} is not running after start");
                }

                ours.Add(sw.Elapsed.TotalMilliseconds);
                await runtime.StopAsync(handle, 9, TimeSpan.Zero);
                await runtime.RemoveAsync(handle);

                sw.Restart();
                await dockerd.CliAsync("run", "-d", "--network", network, "--name", $"bench-run-{i}", name);
                theirs.Add(sw.Elapsed.TotalMilliseconds);
                await dockerd.CliAsync("rm", "-f", $"bench-run-{i}");
            }

            await runtime.RemoveAsync(anchor);
            Console.WriteLine(Line($"engine {engine.Description}"));
            Console.WriteLine(Line($"docker-runtime-create-start runs={runs} median={Median(ours):F0}ms min={ours.Min():F0}ms"));
            Console.WriteLine(Line($"docker-run-d runs={runs} median={Median(theirs):F0}ms min={theirs.Min():F0}ms"));
            Console.WriteLine(Line($"ratio median={Median(ours) / Median(theirs):F2}"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static ReplicaLaunchSpec Replica(ImageReference image, string name)
    {
        var service = new ServiceSpec { Name = "box", Image = new ImageSpec { Name = image, PullPolicy = PullPolicy.IfNotPresent } };
        return new ReplicaLaunchSpec($"bench.box.{name}", "bench", "box", 0, [], null, new Dictionary<string, string>(), new Dictionary<string, int>(), service);
    }
}
