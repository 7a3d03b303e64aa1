using System.Security.Cryptography;
using System.Text;

namespace ZLayer.Cli.Daemon;

/// <summary>
/// The node's id, made once and kept in the data directory: replicas are assigned to it, so it
/// must survive restarts and a change of hostname.
/// </summary>
public static class NodeIdentity
{
    public const string FileName = "node-id";

    public static string LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return existing;
            }
        }

        // The hostname keeps ids readable in `ps`; the suffix keeps two machines cloned from one
        // image (same hostname) apart once they form a cluster.
        var host = new string([.. Environment.MachineName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-')]).Trim('-');
        var id = $"{(host.Length > 0 ? host : "node")}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        ZLayer.Images.Content.FileSync.Replace(path, Encoding.UTF8.GetBytes(id + "\n"));
        return id;
    }
}
