using System.Security.Cryptography;
using System.Text;
using ZLayer.Spec.Model;
using ZLayer.Spec.Output;

namespace ZLayer.Control.Model;

/// <summary>
/// A short fingerprint of a service's normalised spec: replicas whose assignment carries another
/// hash run an outdated spec and are replaced; unchanged services keep running across deploys.
/// </summary>
public static class SpecHash
{
    public static string Of(ServiceSpec service)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(service, SpecJson.Options);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }
}
