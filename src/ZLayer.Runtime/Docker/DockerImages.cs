using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZLayer.Images.Registry;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;

namespace ZLayer.Runtime.Docker;

/// <summary>
/// Makes an image present in the engine as the service's pull policy asks: <c>never</c> needs it
/// there already, <c>if_not_present</c> pulls when it is missing, <c>always</c> and <c>newer</c> pull
/// every time (the engine fetches only what changed). The pull's progress stream is read to its
/// end, because the engine reports a failed pull (no such tag, no access) inside a 200 response.
/// </summary>
internal sealed class DockerImages(DockerEngine engine, Func<RegistrySettings> registries)
{
    /// <summary>The name the engine knows the image by: registry/repository, then @digest or :tag.</summary>
    public static string NameOf(ImageReference image) =>
        image.Digest is { } digest ? $"{image.Registry}/{image.Repository}@{digest}" : $"{image.Registry}/{image.Repository}:{image.Tag ?? "latest"}";

    public async Task EnsureAsync(ImageReference image, PullPolicy policy, CancellationToken ct)
    {
        var name = NameOf(image);
        if (policy is PullPolicy.Never or PullPolicy.IfNotPresent)
        {
            var present = await engine.SendAsync(HttpMethod.Get, $"/images/{DockerEngine.Query(name)}/json", null, $"inspecting image {name}", ct, HttpStatusCode.NotFound).ConfigureAwait(false);
            if (!present.Is(HttpStatusCode.NotFound))
            {
                return;
            }

            if (policy == PullPolicy.Never)
            {
                throw new RuntimeException($"image {image} is not in the Docker engine and pull_policy is never (pull it with `docker pull {name}`)");
            }
        }

        await PullAsync(image, ct).ConfigureAwait(false);
    }

    private async Task PullAsync(ImageReference image, CancellationToken ct)
    {
        var operation = $"pulling image {image} through the Docker engine";
        var from = $"{image.Registry}/{image.Repository}";
        var tag = image.Digest ?? image.Tag ?? "latest";
        var auth = DockerRegistryAuth.For(registries(), image.Registry);
        using var response = await engine.OpenStreamAsync(HttpMethod.Post, $"/images/create?fromImage={DockerEngine.Query(from)}&tag={DockerEngine.Query(tag)}", null, operation, ct, auth).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            JsonNode? progress;
            try
            {
                progress = JsonNode.Parse(line);
            }
            catch (JsonException)
            {
                continue;
            }

            if (progress?["error"] is JsonValue error)
            {
                var detail = progress["errorDetail"]?["message"]?.GetValue<string>() ?? error.GetValue<string>();
                throw new RuntimeException($"{operation}: {detail}");
            }
        }
    }
}
