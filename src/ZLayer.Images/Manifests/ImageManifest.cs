namespace ZLayer.Images.Manifests;

/// <summary>One image: its config and its layers, bottom first.</summary>
public sealed record ImageManifest(string MediaType, Descriptor Config, IReadOnlyList<Descriptor> Layers);
