using ZLayer.Images.Content;

namespace ZLayer.Images.Manifests;

/// <summary>A pointer to content: what it is, its digest and its exact size (OCI descriptor).</summary>
public sealed record Descriptor(string MediaType, Digest Digest, long Size, Platform? Platform = null, IReadOnlyDictionary<string, string>? Annotations = null);
