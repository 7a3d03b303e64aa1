using ZLayer.TestImages.Images;

namespace ZLayer.Images.Tests.Fixtures;

/// <summary>Small images for the fixture tests; the marker makes each test's content (and digests) its own.</summary>
internal static class SampleImages
{
    public static BuiltImage Small(string marker, ImagePlatform? platform = null, ImageFormat format = ImageFormat.Oci) =>
        new OciImageBuilder(platform)
            .Format(format)
            .Layer(l => l.File("etc/marker", marker).Directory("var/www").File("var/www/index.html", $"<p>{marker}</p>"))
            .Layer(l => l.File("etc/second", "second layer", LayerBuilder.ExecutableMode, uid: 1000, gid: 1000))
            .Env("MARKER", marker)
            .Cmd("/bin/sh", "-c", "cat /etc/marker")
            .Build();

    public static BuiltImage TwoPlatforms(string marker, ImageFormat format = ImageFormat.Oci) =>
        OciIndexBuilder.Of(format, Small(marker, ImagePlatform.LinuxAmd64, format), Small(marker, ImagePlatform.LinuxArm64V8, format));
}
