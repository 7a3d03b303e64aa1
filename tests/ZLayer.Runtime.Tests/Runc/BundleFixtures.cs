using ZLayer.Images.Manifests;
using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Tests.Runc;

/// <summary>Replicas, images and requests for bundle tests.</summary>
internal static class BundleFixtures
{
    public static ImageConfig Image(
        IReadOnlyList<string>? entrypoint = null,
        IReadOnlyList<string>? cmd = null,
        IReadOnlyList<string>? env = null,
        string? workingDir = null,
        string? user = null) =>
        new(new Platform("linux", "amd64"), [], env ?? [], entrypoint, cmd, workingDir, user, null, [], [], new Dictionary<string, string>(), null);

    public static ReplicaLaunchSpec Replica(
        ServiceSpec service,
        IReadOnlyList<string>? command = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        service.Name = service.Name.Length == 0 ? "web" : service.Name;
        // As the agent builds it: entrypoint ++ args, workdir as written.
        command ??= [.. service.Command?.Entrypoint ?? [], .. service.Command?.Args ?? []];
        return new ReplicaLaunchSpec($"demo.{service.Name}.0", "demo", service.Name, 0, command,
            workingDirectory ?? service.Command?.Workdir,
            environment ?? new Dictionary<string, string>(), new Dictionary<string, int>(), service);
    }

    public static BundleRequest Request(
        string rootfs,
        ServiceSpec? service = null,
        ImageConfig? image = null,
        IReadOnlyList<BundleMount>? mounts = null,
        string? networkNamespace = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string cgroupsPath = "/zlayer-test/demo.web.0") =>
        new(Replica(service ?? new ServiceSpec { Name = "web" }, environment: environment),
            image ?? Image(cmd: ["/bin/sh"]),
            rootfs, networkNamespace, mounts ?? [], "web-0", null, null, null, cgroupsPath);

    /// <summary>A rootfs with /etc/passwd and /etc/group describing root, app (1234, also in "extra") and nobody.</summary>
    public static void WriteAccounts(string rootfs)
    {
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        File.WriteAllText(Path.Combine(rootfs, "etc/passwd"), """
            # comment
            root:x:0:0:root:/root:/bin/sh
            app:x:1234:1234:App:/home/app:/bin/sh
            nobody:x:65534:65534:nobody:/nonexistent:/bin/false
            broken:line
            """);
        File.WriteAllText(Path.Combine(rootfs, "etc/group"), """
            root:x:0:
            tty:x:5:
            app:x:1234:
            extra:x:2000:other,app
            staff:x:50:root
            nogroup:x:65534:
            """);
    }
}
