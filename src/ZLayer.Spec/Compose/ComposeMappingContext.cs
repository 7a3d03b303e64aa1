using ZLayer.Spec.Binding;

namespace ZLayer.Spec.Compose;

/// <summary>What every service mapper needs: the session, the binder for native x-zlayer blocks, the declared top-level resources and which services exist and are enabled.</summary>
internal sealed class ComposeMappingContext(ComposeSession session, SpecBinder binder, ComposeResources resources, ProfileSelection profiles)
{
    public ComposeSession Session { get; } = session;

    public ComposeReporter Reporter => Session.Reporter;

    public ComposeScalars Scalars { get; } = new(session.Reporter);

    public SpecBinder Binder { get; } = binder;

    public ComposeResources Resources { get; } = resources;

    public ProfileSelection Profiles { get; } = profiles;
}
