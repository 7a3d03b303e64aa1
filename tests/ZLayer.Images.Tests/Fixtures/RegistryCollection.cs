namespace ZLayer.Images.Tests.Fixtures;

/// <summary>Tests that share one registry of each kind; they run one at a time, so they may flip the token server's switches.</summary>
[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registries";
}
