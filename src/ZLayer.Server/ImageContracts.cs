using System.Text.Json;
using ZLayer.Images.Manifests;
using ZLayer.Images.Pull;
using ZLayer.Images.Store;

namespace ZLayer.Server;

// The bodies of the image and registry routes. Digests and platforms travel as their text forms,
// so a client needs no image library to read them.

/// <summary>A stored image as the API lists it.</summary>
/// <param name="Reference">The canonical reference, e.g. <c>docker.io/library/busybox:latest</c>.</param>
/// <param name="Digest">The manifest for this node's platform; <c>zlayer image rm</c> accepts a prefix of it.</param>
/// <param name="TopDigest">What the reference resolved to in the registry: the index when there was one, else the manifest.</param>
/// <param name="Size">Bytes of the compressed layers, as a registry reports an image size.</param>
public sealed record ImageSummary(
    string Reference,
    string Digest,
    string TopDigest,
    string MediaType,
    string ConfigDigest,
    string Platform,
    long Size,
    DateTimeOffset StoredAt,
    IReadOnlyList<ImageLayerView> Layers)
{
    public static ImageSummary From(ImageRecord r) => new(
        r.Reference,
        r.ManifestDigest.ToString(),
        r.TopDigest.ToString(),
        r.ManifestMediaType,
        r.ConfigDigest.ToString(),
        r.Platform.ToString(),
        r.Size,
        r.StoredAt,
        [.. r.Layers.Select(l => new ImageLayerView(l.Digest.ToString(), l.DiffId.ToString(), l.Size, l.MediaType))]);
}

/// <summary>One layer: the blob as the registry has it and the diff ID its unpacked form is cached under.</summary>
public sealed record ImageLayerView(string Digest, string DiffId, long Size, string MediaType);

/// <summary>What an image's config says about running it.</summary>
public sealed record ImageConfigView(
    string Platform,
    IReadOnlyList<string> Env,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    string? WorkingDir,
    string? User,
    string? StopSignal,
    IReadOnlyList<string> ExposedPorts,
    IReadOnlyList<string> Volumes,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset? Created,
    IReadOnlyList<string> DiffIds)
{
    public static ImageConfigView From(ImageConfig c) => new(
        c.Platform.ToString(),
        c.Env,
        c.Entrypoint,
        c.Cmd,
        c.WorkingDir,
        c.User,
        c.StopSignal,
        c.ExposedPorts,
        c.Volumes,
        c.Labels,
        c.Created,
        [.. c.DiffIds.Select(d => d.ToString())]);
}

/// <summary>Answer to <c>GET /api/v1/images/{ref}</c>: the stored record, its parsed config and the manifest as stored.</summary>
public sealed record ImageDetails(ImageSummary Image, ImageConfigView Config, JsonElement Manifest);

/// <summary>Body of <c>POST /api/v1/images/pull</c>.</summary>
/// <param name="Policy"><c>always</c> (default), <c>newer</c>, <c>if_not_present</c> or <c>never</c>, as a spec's pull_policy.</param>
public sealed record ImagePullRequest(string Reference, string? Policy = null);

/// <summary>Body of <c>POST /api/v1/images/push</c>.</summary>
/// <param name="Source">A stored image, by reference or digest.</param>
/// <param name="Target">Where to push it; the source's own reference when left out.</param>
public sealed record ImagePushRequest(string Source, string? Target = null);

/// <summary>Body of <c>POST /api/v1/images/import</c>.</summary>
/// <param name="Path">An OCI layout directory or tar, or a docker-archive tar, on the daemon's machine (absolute).</param>
/// <param name="Name">The reference to store the image under when the archive names none.</param>
public sealed record ImageImportRequest(string Path, string? Name = null);

/// <summary>Answer to <c>POST /api/v1/images/prune</c>: what was freed.</summary>
public sealed record ImagePruneResponse(int Blobs, long Bytes, int Layers);

/// <summary>Body of <c>POST /api/v1/registries/login</c>. The password is never logged, stored elsewhere than registries.json, or sent back.</summary>
public sealed record RegistryLoginRequest(string Registry, string Username, string Password)
{
    // The generated ToString would print the password wherever the request is logged or formatted.
    public override string ToString() => $"{nameof(RegistryLoginRequest)} {{ Registry = {Registry}, Username = {Username}, Password = *** }}";
}

/// <summary>Answer to a login the registry accepted.</summary>
public sealed record RegistryLoginResponse(string Registry, string Username);

/// <summary>
/// One line of the NDJSON answer of pull, push and import: a step (<see cref="Phase"/> set), then
/// exactly one last line carrying the outcome (<see cref="Image"/> or <see cref="Images"/>) or the
/// failure (<see cref="Error"/>), since the status line was sent before the work began.
/// </summary>
/// <param name="Reference">The image the step is about (canonical).</param>
/// <param name="Phase">A <see cref="PullPhase"/> in snake_case: <c>resolving</c>, <c>downloading</c>, <c>ready</c>, <c>done</c>...</param>
/// <param name="Blob">The blob (layer or config) the step is about; absent for whole-image steps.</param>
public sealed record ImageStreamLine(
    string? Reference = null,
    string? Phase = null,
    string? Blob = null,
    long? Current = null,
    long? Total = null,
    string? Message = null,
    ImageSummary? Image = null,
    IReadOnlyList<ImageSummary>? Images = null,
    ApiProblem? Error = null)
{
    public static ImageStreamLine From(PullProgress p) => new(
        p.Reference,
        JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Phase.ToString()),
        p.Blob?.ToString(),
        p.Current,
        p.Total,
        p.Message);
}
