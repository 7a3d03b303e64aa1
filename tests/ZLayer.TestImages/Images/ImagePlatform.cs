namespace ZLayer.TestImages.Images;

/// <summary>The platform an image runs on, as its config and an index's descriptors name it.</summary>
public sealed record ImagePlatform(string Os, string Architecture, string? Variant = null)
{
    public static ImagePlatform LinuxAmd64 { get; } = new("linux", "amd64");

    public static ImagePlatform LinuxArm64V8 { get; } = new("linux", "arm64", "v8");

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
