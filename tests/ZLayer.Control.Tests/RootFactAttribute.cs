namespace ZLayer.Control.Tests;

/// <summary>A test that needs root (it mounts a file system); reported as skipped, not passed, without it.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: it mounts a small tmpfs";
        }
    }
}
