using System.Net;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Images.Content;

namespace ZLayer.Images.Registry;

/// <summary>
/// This node's registry settings (<c>DATA_DIR/registries.json</c>, mode 0600 because it holds
/// logins): insecure registries, mirrors per registry host, and credentials, with
/// <c>~/.docker/config.json</c> auths as a fallback for hosts without a login of their own.
/// Loopback registries may use plain HTTP without being listed, as Docker allows.
/// </summary>
public sealed class RegistrySettings
{
    /// <summary>Where Docker Hub's API lives; <c>docker.io</c> is only its name in references.</summary>
    public static readonly Uri DockerHubApi = new("https://registry-1.docker.io");

    private const string DockerHubConfigKey = "https://index.docker.io/v1/";

    private readonly Dictionary<string, RegistryHostSettings> _hosts;
    private readonly Dictionary<string, RegistryCredential> _docker;

    private RegistrySettings(Dictionary<string, RegistryHostSettings> hosts, Dictionary<string, RegistryCredential> docker)
    {
        _hosts = hosts;
        _docker = docker;
    }

    public static RegistrySettings Empty { get; } = new(new(StringComparer.OrdinalIgnoreCase), new(StringComparer.OrdinalIgnoreCase));

    public IReadOnlyDictionary<string, RegistryHostSettings> Hosts => _hosts;

    /// <summary>
    /// Reads the settings file (missing: no settings) and, when given, Docker's config file.
    /// A malformed file is refused with its path and the JSON path of the bad value.
    /// </summary>
    public static RegistrySettings Load(string path, string? dockerConfigPath = null)
    {
        var hosts = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(path))
        {
            var root = Parse(path) as JsonObject ?? throw Bad(path, "$", "must be a JSON object");
            if (root["registries"] is { } registries)
            {
                if (registries is not JsonObject map)
                {
                    throw Bad(path, "$.registries", "must be an object of registry host to settings");
                }

                foreach (var (host, node) in map)
                {
                    hosts[host] = ReadHost(path, $"$.registries['{host}']", node);
                }
            }
        }

        var docker = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
        if (dockerConfigPath is not null && File.Exists(dockerConfigPath))
        {
            ReadDockerAuths(dockerConfigPath, docker);
        }

        return new RegistrySettings(hosts, docker);
    }

    /// <summary>Writes the settings atomically (temp file, fsync, rename), readable by the owner only.</summary>
    [SupportedOSPlatform("linux")]
    public void Save(string path)
    {
        var registries = new JsonObject();
        foreach (var (host, settings) in _hosts.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            var entry = new JsonObject();
            if (settings.Insecure)
            {
                entry["insecure"] = true;
            }

            if (settings.Mirrors is { Count: > 0 } mirrors)
            {
                entry["mirrors"] = new JsonArray([.. mirrors.Select(m => (JsonNode?)JsonValue.Create(m.ToString()))]);
            }

            if (settings.Credential is { } credential)
            {
                entry["username"] = credential.Username;
                entry["password"] = credential.Password;
            }

            registries[host] = entry;
        }

        var text = new JsonObject { ["registries"] = registries }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        FileSync.Replace(path, Encoding.UTF8.GetBytes(text + "\n"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public RegistrySettings With(string host, Func<RegistryHostSettings, RegistryHostSettings> change)
    {
        var hosts = new Dictionary<string, RegistryHostSettings>(_hosts, StringComparer.OrdinalIgnoreCase);
        var changed = change(hosts.GetValueOrDefault(host) ?? new RegistryHostSettings());
        if (changed is { Insecure: false, Mirrors: null or { Count: 0 }, Credential: null })
        {
            hosts.Remove(host);
        }
        else
        {
            hosts[host] = changed;
        }

        return new RegistrySettings(hosts, _docker);
    }

    /// <summary>Plain HTTP is allowed for listed insecure registries and for loopback ones.</summary>
    public bool IsInsecure(string host) =>
        (_hosts.TryGetValue(host, out var settings) && settings.Insecure) || IsLoopback(host);

    /// <summary>Where to fetch from, in order: the host's mirrors, then the registry itself.</summary>
    public IReadOnlyList<RegistryEndpoint> EndpointsFor(string host)
    {
        var endpoints = new List<RegistryEndpoint>();
        if (_hosts.TryGetValue(host, out var settings) && settings.Mirrors is { } mirrors)
        {
            endpoints.AddRange(mirrors.Select(m => new RegistryEndpoint(m, IsMirror: true)));
        }

        var self = host.Equals("docker.io", StringComparison.OrdinalIgnoreCase)
            ? DockerHubApi
            : new Uri($"{(IsInsecure(host) ? "http" : "https")}://{host}");
        endpoints.Add(new RegistryEndpoint(self, IsMirror: false));
        return endpoints;
    }

    /// <summary>The login for a registry host: this node's own, else Docker's, else none.</summary>
    public RegistryCredential? CredentialFor(string host)
    {
        if (_hosts.TryGetValue(host, out var settings) && settings.Credential is { } own)
        {
            return own;
        }

        var key = host.Equals("docker.io", StringComparison.OrdinalIgnoreCase) ? DockerHubConfigKey : host;
        return _docker.GetValueOrDefault(key) ?? _docker.GetValueOrDefault($"https://{host}") ?? _docker.GetValueOrDefault($"http://{host}");
    }

    private static bool IsLoopback(string host)
    {
        var name = host;
        if (name.StartsWith('['))
        {
            name = name[1..name.IndexOf(']', StringComparison.Ordinal)];
        }
        else if (name.LastIndexOf(':') is var colon and > 0 && name.IndexOf(':') == colon)
        {
            name = name[..colon];
        }

        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(name, out var ip) && IPAddress.IsLoopback(ip));
    }

    private static RegistryHostSettings ReadHost(string path, string at, JsonNode? node)
    {
        if (node is not JsonObject entry)
        {
            throw Bad(path, at, "must be an object (insecure, mirrors, username, password)");
        }

        var insecure = false;
        List<Uri>? mirrors = null;
        string? username = null;
        string? password = null;
        foreach (var (key, value) in entry)
        {
            switch (key)
            {
                case "insecure":
                    insecure = value is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw Bad(path, $"{at}.insecure", "must be true or false");
                    break;
                case "mirrors":
                    if (value is not JsonArray list)
                    {
                        throw Bad(path, $"{at}.mirrors", "must be a list of URLs");
                    }

                    mirrors = [];
                    for (var i = 0; i < list.Count; i++)
                    {
                        var text = list[i] is JsonValue s && s.TryGetValue<string>(out var str) ? str : null;
                        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                        {
                            throw Bad(path, $"{at}.mirrors[{i}]", "must be an http:// or https:// URL");
                        }

                        mirrors.Add(uri);
                    }

                    break;
                case "username":
                    username = value is JsonValue u && u.TryGetValue<string>(out var user) ? user : throw Bad(path, $"{at}.username", "must be a string");
                    break;
                case "password":
                    password = value is JsonValue p && p.TryGetValue<string>(out var pass) ? pass : throw Bad(path, $"{at}.password", "must be a string");
                    break;
                default:
                    throw Bad(path, $"{at}.{key}", "is not a registry setting (insecure, mirrors, username, password)");
            }
        }

        if ((username is null) != (password is null))
        {
            throw Bad(path, at, "needs both username and password, or neither");
        }

        return new RegistryHostSettings(insecure, mirrors, username is null ? null : new RegistryCredential(username, password!));
    }

    private static void ReadDockerAuths(string path, Dictionary<string, RegistryCredential> into)
    {
        if ((Parse(path) as JsonObject)?["auths"] is not JsonObject auths)
        {
            return;
        }

        foreach (var (server, node) in auths)
        {
            // "auth" is base64 of user:password; entries with only an identity token are left to a credential helper.
            if (node?["auth"] is JsonValue value && value.TryGetValue<string>(out var encoded))
            {
                string decoded;
                try
                {
                    decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                }
                catch (FormatException)
                {
                    throw Bad(path, $"$.auths['{server}'].auth", "is not base64 of user:password");
                }

                var colon = decoded.IndexOf(':');
                if (colon <= 0)
                {
                    throw Bad(path, $"$.auths['{server}'].auth", "is not base64 of user:password");
                }

                into[server] = new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]);
            }
        }
    }

    private static JsonNode? Parse(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new RegistrySettingsException($"{path}:{e.LineNumber + 1}:{e.BytePositionInLine + 1}: not valid JSON");
        }
    }

    private static RegistrySettingsException Bad(string path, string at, string problem) => new($"{path}: {at} {problem}");
}
