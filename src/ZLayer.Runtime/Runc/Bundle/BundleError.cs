namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>The one shape of bundle errors: which service, then what is wrong with which field.</summary>
internal static class BundleError
{
    public static RuntimeException For(string service, string detail) => new($"service '{service}': {detail}");
}
