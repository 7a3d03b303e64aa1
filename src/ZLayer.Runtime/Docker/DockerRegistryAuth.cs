using System.Text;
using System.Text.Json.Nodes;
using ZLayer.Images.Registry;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// The X-Registry-Auth header of a pull: the login this node has for the image's registry (its
/// own settings, else ~/.docker/config.json, as for pulls of our own), as base64url JSON. Null when
/// there is no login: the engine then pulls anonymously or with its own configuration.
/// </summary>
internal static class DockerRegistryAuth
{
    public static string? For(RegistrySettings settings, string registryHost)
    {
        if (settings.CredentialFor(registryHost) is not { } credential)
        {
            return null;
        }

        var json = new JsonObject
        {
            ["username"] = credential.Username,
            ["password"] = credential.Password,
            ["serveraddress"] = registryHost,
        }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).Replace('+', '-').Replace('/', '_');
    }
}
