using ZLayer.Spec.Diagnostics;

namespace ZLayer.Spec.Compose;

/// <summary>
/// State shared by everything one load does: where diagnostics go, the limits, the process
/// environment, and the budget of files and bytes that <c>include</c>, <c>extends</c> and env files
/// draw from.
/// </summary>
internal sealed class ComposeSession(ComposeReporter reporter, ComposeLimits limits, IReadOnlyDictionary<string, string> processEnvironment)
{
    private int _filesRead;
    private long _bytesRead;

    public ComposeReporter Reporter { get; } = reporter;

    public ComposeLimits Limits { get; } = limits;

    public IReadOnlyDictionary<string, string> ProcessEnvironment { get; } = processEnvironment;

    /// <summary>Where <c>~</c> in paths points: HOME from the given environment, else the user's profile.</summary>
    public string HomeDirectory =>
        ProcessEnvironment.TryGetValue("HOME", out var home) && home.Length > 0
            ? home
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>How a file found by path is named in diagnostics: relative to the working directory when inside it.</summary>
    public static string DisplayName(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }

    /// <summary>Reads a file within the session's budget; on any failure reports at <paramref name="requestedAt"/> and returns null.</summary>
    public string? ReadText(string fullPath, string what, SourceLocation requestedAt, string path)
    {
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                Reporter.Error(ComposeCodes.File, $"{what} '{fullPath}' does not exist", requestedAt, path);
                return null;
            }

            if (++_filesRead > Limits.MaxFiles)
            {
                Reporter.Error(ComposeCodes.Limit, $"more than {Limits.MaxFiles} files read for one compose project; not reading {what} '{fullPath}'", requestedAt, path);
                return null;
            }

            _bytesRead += info.Length;
            if (_bytesRead > Limits.MaxTotalBytes)
            {
                Reporter.Error(ComposeCodes.Limit, $"compose project files add up to more than {Limits.MaxTotalBytes} bytes; not reading {what} '{fullPath}'", requestedAt, path);
                return null;
            }

            return File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Reporter.Error(ComposeCodes.File, $"cannot read {what} '{fullPath}': {ex.Message}", requestedAt, path);
            return null;
        }
    }

    /// <summary>An absolute path for <paramref name="path"/> as Compose resolves it: <c>~</c> is home, relative paths start at <paramref name="baseDirectory"/>.</summary>
    public string Absolute(string path, string baseDirectory)
    {
        try
        {
            if (path == "~")
            {
                return HomeDirectory;
            }

            if (path.StartsWith("~/", StringComparison.Ordinal))
            {
                return Path.GetFullPath(Path.Join(HomeDirectory, path[2..]));
            }

            return Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }
}
