using ZLayer.TestImages.Tools;

namespace ZLayer.TestImages.Registry;

/// <summary>Writes an htpasswd file with the bcrypt hash docker-registry insists on (it ignores other schemes).</summary>
internal static class Htpasswd
{
    public const string BinaryPath = "/usr/bin/htpasswd";

    public static async Task WriteAsync(string path, string username, string password, CancellationToken cancellationToken)
    {
        // -B bcrypt, -b password from the command line, -n print rather than edit a file.
        var result = (await ExternalTool.RunAsync(BinaryPath, ["-Bbn", username, password], cancellationToken: cancellationToken)).EnsureSuccess();
        await File.WriteAllTextAsync(path, result.StandardOutput.Trim() + "\n", cancellationToken);
    }
}
