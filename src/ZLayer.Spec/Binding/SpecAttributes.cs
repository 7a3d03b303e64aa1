namespace ZLayer.Spec.Binding;

/// <summary>The key must be present (in the variant it belongs to, for union members).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SpecRequiredAttribute : Attribute;

/// <summary>Another spelling accepted for this key (upstream legacy names such as <c>cap_add</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true)]
public sealed class SpecAliasAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// The map is a tagged union: the key <see cref="Tag"/> selects a variant, and properties marked
/// with <see cref="SpecVariantAttribute"/> are only accepted in the variants they name.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SpecUnionAttribute(string tag) : Attribute
{
    public string Tag { get; } = tag;
}

[AttributeUsage(AttributeTargets.Property)]
public sealed class SpecVariantAttribute(params string[] variants) : Attribute
{
    public IReadOnlyList<string> Variants { get; } = variants;
}

/// <summary>
/// Upstream does not reject unknown keys in this block; we accept them too, with a warning
/// instead of upstream's silent drop.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SpecOpenAttribute : Attribute;

/// <summary>A number that upstream's own docs write quoted (<c>cpu: "0.5"</c>): accepted with a compatibility warning.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SpecAllowQuotedNumberAttribute : Attribute;

/// <summary>A one-line description carried into the JSON Schema for editors.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class)]
public sealed class SpecDocAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}
