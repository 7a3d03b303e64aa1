using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ZLayer.Server.Dashboard;

/// <summary>
/// Serves the web dashboard at <c>/ui/</c>. The files are anonymous (the page itself holds no
/// data; every API call it makes carries the user's token), and locked to this origin by a
/// content security policy: no script, style or connection may come from anywhere else.
/// </summary>
public static class DashboardRoutes
{
    public const string Root = "/ui";

    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        // Matches /ui itself as well as everything under /ui/.
        app.MapGet(Root + "/{**path}", Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(string? path, HttpContext context)
    {
        if (string.IsNullOrEmpty(path) && context.Request.Path.Value?.EndsWith('/') != true)
        {
            // Relative URLs in the page (js/app.js, style.css) must resolve under /ui/, not /.
            return TypedResults.Redirect(Root + "/");
        }

        var asset = DashboardAssets.Find(string.IsNullOrEmpty(path) ? "index.html" : path)
            ?? throw ProblemResults.NotFound($"the dashboard has no file '{Truncate(path!)}'; open {Root}/");

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";

        // Revalidated on every load, so a new binary's files are picked up at once; unchanged
        // ones cost a 304.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
