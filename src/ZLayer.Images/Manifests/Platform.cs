using CpuArchitecture = System.Runtime.InteropServices.Architecture;
using RuntimeInformation = System.Runtime.InteropServices.RuntimeInformation;

namespace ZLayer.Images.Manifests;

public enum PlatformMatch { None, Compatible, Exact }

/// <summary>An OCI platform (GOOS/GOARCH names), with the variant normalised as containerd does for arm.</summary>
public sealed record Platform(string Os, string Architecture, string? Variant = null)
{
    /// <summary>This node's platform.</summary>
    public static Platform Current { get; } = new("linux", RuntimeInformation.OSArchitecture switch
    {
        CpuArchitecture.X64 => "amd64",
        CpuArchitecture.Arm64 => "arm64",
        CpuArchitecture.Arm => "arm",
        CpuArchitecture.X86 => "386",
        CpuArchitecture.S390x => "s390x",
        CpuArchitecture.Ppc64le => "ppc64le",
        CpuArchitecture.RiscV64 => "riscv64",
        CpuArchitecture.LoongArch64 => "loong64",
        var other => other.ToString().ToLowerInvariant(),
    }, RuntimeInformation.OSArchitecture switch
    {
        CpuArchitecture.Arm64 => "v8",
        CpuArchitecture.Arm => "v7",
        _ => null,
    });

    /// <summary>Parses <c>os/arch[/variant]</c>.</summary>
    public static bool TryParse(string text, out Platform platform)
    {
        var parts = text.Split('/');
        platform = null!;
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
        {
            return false;
        }

        platform = new Platform(parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant(), parts.Length == 3 ? parts[2].ToLowerInvariant() : null);
        return true;
    }

    /// <summary>How well an image built for <paramref name="image"/> runs here: exactly, compatibly (no or an older variant), or not.</summary>
    public PlatformMatch Match(Platform image)
    {
        if (!Os.Equals(image.Os, StringComparison.OrdinalIgnoreCase) || !Architecture.Equals(image.Architecture, StringComparison.OrdinalIgnoreCase))
        {
            return PlatformMatch.None;
        }

        var mine = NormalVariant(Architecture, Variant);
        var theirs = NormalVariant(Architecture, image.Variant);
        if (string.Equals(mine, theirs, StringComparison.OrdinalIgnoreCase))
        {
            return PlatformMatch.Exact;
        }

        // An arm v7 node runs v6 and v5 images; an image without a variant runs anywhere of its arch.
        if (theirs is null || (mine is { } m && string.CompareOrdinal(theirs, m) < 0 && theirs.StartsWith('v')))
        {
            return PlatformMatch.Compatible;
        }

        return PlatformMatch.None;
    }

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    private static string? NormalVariant(string architecture, string? variant) => architecture switch
    {
        "arm64" when variant is null or "v8" => "v8",
        _ => variant,
    };
}
