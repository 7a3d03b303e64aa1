namespace ZLayer.Images.Manifests;

/// <summary>A manifest, index or config that is not what the specifications allow; the message names the document and the JSON path.</summary>
public sealed class ManifestException(string message) : Exception(message);
