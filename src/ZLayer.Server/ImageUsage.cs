using ZLayer.Images.Content;

namespace ZLayer.Server;

/// <summary>
/// Which images replicas run from right now (by manifest digest), asked of the runtimes when the
/// API collects unused image content, so a prune never deletes layers under a running container.
/// </summary>
public sealed class ImageUsage(Func<IReadOnlyCollection<Digest>> manifestsInUse)
{
    public static ImageUsage None { get; } = new(() => []);

    public IReadOnlyCollection<Digest> ManifestsInUse() => manifestsInUse();
}
