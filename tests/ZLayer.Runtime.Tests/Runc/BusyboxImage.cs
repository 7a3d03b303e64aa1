using ZLayer.Images;
using ZLayer.Images.Store;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.TestImages.Images;

namespace ZLayer.Runtime.Tests.Runc;

/// <summary>A small busybox-static image, built by the test and imported into an image store, as a node would have after a pull.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class BusyboxImage
{
    public static readonly ImageReference Reference = ImageReference.Parse("local/busybox:test");

    /// <summary>Builds the image into <paramref name="images"/> under <see cref="Reference"/> and returns its record (to push it on).</summary>
    public static async Task<ImageRecord> ImportAsync(ImageService images, string scratch)
    {
        var image = new OciImageBuilder()
            .Layer(l => l.Busybox().Directory("tmp", LayerBuilder.DirectoryMode | UnixFileMode.StickyBit | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite))
            .Env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .Cmd("sh")
            .Build();
        var layout = Path.Combine(scratch, "busybox-layout");
        image.WriteOciLayout(layout, "test");
        return (await images.ImportAsync(layout, Reference)).Single();
    }

    /// <summary>A launch spec for <c>sh -c SCRIPT</c> in the busybox image.</summary>
    public static ReplicaLaunchSpec Shell(string replicaId, string script, IReadOnlyDictionary<string, string>? environment = null, Action<ServiceSpec>? configure = null)
    {
        var service = new ServiceSpec
        {
            Name = "svc",
            Image = new ImageSpec { Name = Reference, PullPolicy = PullPolicy.Never },
        };
        configure?.Invoke(service);
        return new ReplicaLaunchSpec(replicaId, "test", "svc", 0, ["sh", "-c", script], null,
            environment ?? new Dictionary<string, string>(), new Dictionary<string, int>(), service);
    }
}
