namespace ZLayer.Images.Manifests;

/// <summary>A manifest list or OCI index: one manifest per platform.</summary>
public sealed record ImageIndex(string MediaType, IReadOnlyList<Descriptor> Manifests)
{
    /// <summary>The manifest for <paramref name="platform"/>, preferring an exact variant match.</summary>
    public Descriptor? Select(Platform platform)
    {
        Descriptor? fallback = null;
        foreach (var manifest in Manifests)
        {
            if (manifest.Platform is not { } candidate || !MediaTypes.IsManifest(manifest.MediaType))
            {
                continue;
            }

            switch (platform.Match(candidate))
            {
                case PlatformMatch.Exact:
                    return manifest;
                case PlatformMatch.Compatible:
                    fallback ??= manifest;
                    break;
            }
        }

        return fallback;
    }
}
