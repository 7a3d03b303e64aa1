using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace ZLayer.Proxy.Http;

/// <summary>Copies the backend's end-to-end response headers to the client's response.</summary>
internal static class ResponseHeaderCopier
{
    public static void Copy(HttpResponseMessage from, HttpResponse to)
    {
        HashSet<string>? named = null;
        if (from.Headers.NonValidated.TryGetValues("Connection", out var connection))
        {
            named = HopByHopHeaders.NamedBy(new StringValues([.. connection]));
        }

        CopyHeaders(from.Headers.NonValidated, to.Headers, named);
        CopyHeaders(from.Content.Headers.NonValidated, to.Headers, named);
    }

    private static void CopyHeaders(HttpHeadersNonValidated headers, IHeaderDictionary to, HashSet<string>? named)
    {
        foreach (var (name, values) in headers)
        {
            if (HopByHopHeaders.Skip(name, named))
            {
                continue;
            }

            to[name] = values.Count == 1 ? new StringValues(values.ToString()) : new StringValues([.. values]);
        }
    }
}
