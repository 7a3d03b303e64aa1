using System.Text;

namespace ZLayer.TestImages.Registry;

/// <summary>Renders the docker-registry 2.x configuration for one <see cref="RegistryServer"/>.</summary>
internal static class RegistryConfigYaml
{
    public static string Render(RegistryServerOptions options, string storageDirectory, int port, string httpSecret, string? htpasswdPath)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("version: 0.1");
        yaml.AppendLine("log:");
        yaml.AppendLine("  level: info");
        yaml.AppendLine("  formatter: text");
        yaml.AppendLine("storage:");
        yaml.AppendLine("  filesystem:");
        yaml.AppendLine($"    rootdirectory: {Quote(storageDirectory)}");
        yaml.AppendLine("  delete:");
        yaml.AppendLine("    enabled: true");
        // The purger would otherwise start on a timer and delete uploads a slow test left open.
        yaml.AppendLine("  maintenance:");
        yaml.AppendLine("    uploadpurging:");
        yaml.AppendLine("      enabled: false");
        yaml.AppendLine("http:");
        // Port 0 on the first start: the registry picks a free port and logs it, so no two
        // fixtures can race for one; a restart reuses the port it got.
        yaml.AppendLine($"  addr: 127.0.0.1:{port}");
        // A fixed secret keeps upload state valid across a restart of the same registry.
        yaml.AppendLine($"  secret: {Quote(httpSecret)}");
        switch (options.Auth)
        {
            case RegistryAuthMode.Basic:
                yaml.AppendLine("auth:");
                yaml.AppendLine("  htpasswd:");
                yaml.AppendLine("    realm: zlayer-test-registry");
                yaml.AppendLine($"    path: {Quote(htpasswdPath!)}");
                break;
            case RegistryAuthMode.Token:
                var tokens = options.Tokens!;
                yaml.AppendLine("auth:");
                yaml.AppendLine("  token:");
                yaml.AppendLine($"    realm: {Quote(tokens.Realm.ToString())}");
                yaml.AppendLine($"    service: {Quote(tokens.Service)}");
                yaml.AppendLine($"    issuer: {Quote(tokens.Issuer)}");
                yaml.AppendLine($"    rootcertbundle: {Quote(tokens.RootCertificatePath)}");
                break;
            default:
                break;
        }

        if (options.ProxyRemote is { } remote)
        {
            yaml.AppendLine("proxy:");
            yaml.AppendLine($"  remoteurl: {Quote(remote.ToString().TrimEnd('/'))}");
            if (options.ProxyUsername is not null)
            {
                yaml.AppendLine($"  username: {Quote(options.ProxyUsername)}");
                yaml.AppendLine($"  password: {Quote(options.ProxyPassword ?? "")}");
            }
        }

        return yaml.ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
