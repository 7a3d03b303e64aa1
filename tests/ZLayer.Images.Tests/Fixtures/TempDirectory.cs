namespace ZLayer.Images.Tests.Fixtures;

/// <summary>A uniquely named directory under the temp directory, removed on disposal.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "zlayer-fixture")
    {
        Path = System.IO.Path.Join(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Join(string relative) => System.IO.Path.Join(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the directory is uniquely named.
        }
    }
}
