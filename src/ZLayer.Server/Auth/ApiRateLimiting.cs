using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ZLayer.Server.Auth;

/// <summary>
/// Per-client rate limiting: a token bucket per token id, or per remote address for requests
/// without a valid token, refilled at the configured rate with room for a burst of twice that.
/// The local socket is never limited (its clients are the host's own admins). Refused requests get
/// 429, <c>Retry-After</c> and a problem document.
/// </summary>
public static class ApiRateLimiting
{
    /// <summary>Requests per second per client by default: far above what the CLI or the dashboard sends.</summary>
    public const int DefaultPerSecond = 100;

    /// <param name="perSecond">Requests per second per client; 0 turns limiting off.</param>
    public static void AddApiRateLimiting(this IServiceCollection services, int perSecond)
    {
        if (perSecond <= 0)
        {
            return;
        }

        var bucket = Bucket(perSecond);
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                Partition(context) is { } key
                    ? RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket)
                    : RateLimitPartition.GetNoLimiter("local socket"));
            options.OnRejected = async (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
                    : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ProblemResults.WriteAsync(rejected.HttpContext, AuthProblems.RateLimited(retryAfter));
            };
        });
    }

    public static void UseApiRateLimiting(this WebApplication app, int perSecond)
    {
        if (perSecond > 0)
        {
            app.UseRateLimiter();
        }
    }

    /// <summary>The bucket a client draws from: null for the local socket, which is not limited.</summary>
    private static string? Partition(HttpContext context) => context.Caller() switch
    {
        { TokenId: { } id } => "token " + id,
        { TokenId: null } => null,
        null => "address " + context.Connection.RemoteIpAddress,
    };

    /// <summary>
    /// Refilled ten times a second where the rate allows, so that a client at the limit is not
    /// held for a whole second; below ten a second, one token at a time.
    /// </summary>
    private static TokenBucketRateLimiterOptions Bucket(int perSecond)
    {
        var (period, tokens) = perSecond >= 10
            ? (TimeSpan.FromMilliseconds(100), (perSecond + 9) / 10)
            : (TimeSpan.FromSeconds(1.0 / perSecond), 1);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond * 2,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }
}
