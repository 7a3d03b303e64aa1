using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc.Bundle;

namespace ZLayer.Runtime.Tests.Runc;

/// <summary>
/// A busybox rootfs and a private runc state directory; runs bundles to completion and leaves no
/// container, cgroup or directory behind.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RuncHarness : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new();
    private readonly List<(string Id, string CgroupsPath)> _containers = [];

    public RuncHarness()
    {
        Runc = new[] { "/usr/sbin/runc", "/usr/bin/runc" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("runc is not installed (scripts/install-deps.sh installs it)");
        Rootfs = Path.Combine(_directory.Path, "rootfs");
        StateRoot = Path.Combine(_directory.Path, "state");
        Directory.CreateDirectory(StateRoot);
        BuildRootfs();
    }

    public string Runc { get; }

    public string Rootfs { get; }

    public string StateRoot { get; }

    /// <summary>A cgroup path no other test uses.</summary>
    public static string UniqueCgroup() => "/zlayer-test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Writes <paramref name="config"/> into a new bundle, runs it with <c>runc run</c> and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(JsonObject config)
    {
        var id = "zlt-" + Guid.NewGuid().ToString("N")[..12];
        var bundle = Path.Combine(_directory.Path, id);
        Directory.CreateDirectory(bundle);
        await RuntimeConfigWriter.WriteAsync(bundle, config);
        _containers.Add((id, config["linux"]!["cgroupsPath"]!.GetValue<string>()));

        var start = new ProcessStartInfo(Runc)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--root", StateRoot, "run", "--bundle", bundle, id })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"runc run {id} did not finish within {RunTimeout.TotalSeconds}s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The ids <c>runc list</c> shows in this harness's state directory.</summary>
    public IReadOnlyList<string> List()
    {
        var (_, output) = RuncCommand("--root", StateRoot, "list", "-q");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The directories of <paramref name="config"/>'s cgroup that exist in any hierarchy (none once runc is done with it).</summary>
    public static IReadOnlyList<string> CgroupDirectories(JsonObject config) => CgroupDirectories(config["linux"]!["cgroupsPath"]!.GetValue<string>());

    public void Dispose()
    {
        foreach (var (id, cgroupsPath) in _containers)
        {
            RuncCommand("--root", StateRoot, "delete", "-f", id);
            foreach (var cgroup in CgroupDirectories(cgroupsPath))
            {
                try
                {
                    // cgroup directories are removed with rmdir, never recursively.
                    Directory.Delete(cgroup);
                }
                catch (IOException)
                {
                }
            }
        }

        _directory.Dispose();
    }

    private static List<string> CgroupDirectories(string cgroupsPath) =>
        [.. (Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup") : []).Select(h => h + cgroupsPath).Where(Directory.Exists)];

    private (int ExitCode, string Output) RuncCommand(params string[] args)
    {
        var start = new ProcessStartInfo(Runc) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    private void BuildRootfs()
    {
        foreach (var dir in new[] { "bin", "etc", "proc", "sys", "dev", "tmp", "mnt", "work", "home/app", "root" })
        {
            Directory.CreateDirectory(Path.Combine(Rootfs, dir));
        }

        File.Copy("/bin/busybox", Path.Combine(Rootfs, "bin/busybox"));
        foreach (var applet in new[] { "sh", "id", "pwd", "env", "cat", "echo", "mount", "unshare", "hostname", "wc", "head", "ls", "true", "grep", "sort" })
        {
            File.CreateSymbolicLink(Path.Combine(Rootfs, "bin", applet), "busybox");
        }

        BundleFixtures.WriteAccounts(Rootfs);
    }
}
