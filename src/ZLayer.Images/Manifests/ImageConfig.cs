using ZLayer.Images.Content;

namespace ZLayer.Images.Manifests;

/// <summary>
/// The parts of an image config (OCI image spec "config" / Docker's container config) that running
/// and inspecting an image need. The original bytes stay in the blob store.
/// </summary>
public sealed record ImageConfig(
    Platform Platform,
    IReadOnlyList<Digest> DiffIds,
    IReadOnlyList<string> Env,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    string? WorkingDir,
    string? User,
    string? StopSignal,
    IReadOnlyList<string> ExposedPorts,
    IReadOnlyList<string> Volumes,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset? Created);
