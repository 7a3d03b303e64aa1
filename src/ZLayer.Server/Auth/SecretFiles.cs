using ZLayer.Images.Content;

namespace ZLayer.Server.Auth;

/// <summary>
/// The files of the API's secrets in the data directory: written whole (temporary file, fsync,
/// rename) with mode 0600, so a crash never leaves half a key and no other user can read one.
/// </summary>
internal static class SecretFiles
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, ReadOnlySpan<byte> content) =>
        FileSync.Replace(path, content, OwnerOnly);

    /// <summary>
    /// Reads a secret, first taking group and other access away from a file that has it (copied
    /// in by hand, or restored from a backup with the wrong mode): the daemon does not keep a
    /// secret readable by others, whoever left it so.
    /// </summary>
    public static string? ReadText(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }

        return File.ReadAllText(path);
    }
}
