namespace ZLayer.Runtime.Runc;

/// <summary>
/// Where one container's files live. Records, logs and conmon's exit and OOM files sit under
/// <c>containers/ID/</c> (watched for exits); the overlay directories and the mounted rootfs sit
/// under <c>overlay/ID/</c>, outside the watched tree, so a busy container's writes never wake it.
/// </summary>
internal sealed record ContainerPaths(string ContainersRoot, string OverlayRoot, string Id)
{
    public string Directory => Path.Combine(ContainersRoot, Id);

    public string Bundle => Path.Combine(Directory, "bundle");

    public string Config => Path.Combine(Bundle, "config.json");

    /// <summary>The record of what the runtime made (labels, image, network), for re-adoption.</summary>
    public string Record => Path.Combine(Directory, "record.json");

    /// <summary>conmon writes the exit code here (its persist directory is the container directory).</summary>
    public string ExitFile => Path.Combine(Directory, "exit");

    /// <summary>conmon creates this when the kernel OOM-killed the container.</summary>
    public string OomFile => Path.Combine(Directory, "oom");

    public string Log => Path.Combine(Directory, "container.log");

    public string ConmonPidFile => Path.Combine(Directory, "conmon.pid");

    public string ContainerPidFile => Path.Combine(Directory, "container.pid");

    /// <summary>runc's own log (JSON lines): the reason a create failed.</summary>
    public string RuncLog => Path.Combine(Directory, "runc.log");

    /// <summary>/etc/hosts, /etc/hostname and /etc/resolv.conf written for the container.</summary>
    public string Etc => Path.Combine(Directory, "etc");

    public string Overlay => Path.Combine(OverlayRoot, Id);

    public string Upper => Path.Combine(Overlay, "upper");

    public string Work => Path.Combine(Overlay, "work");

    public string Rootfs => Path.Combine(Overlay, "merged");
}
