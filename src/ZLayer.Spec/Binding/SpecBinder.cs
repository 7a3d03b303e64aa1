using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Binding;

/// <summary>
/// Binds a <see cref="YNode"/> tree onto the spec model by the rules in <see cref="SpecTypeInfo"/>:
/// snake_case keys, unknown keys rejected with a suggestion, tagged unions, typed scalars. Every
/// problem becomes a diagnostic with its place; binding goes on past errors so all are reported.
/// </summary>
public sealed class SpecBinder(DiagnosticBag diagnostics)
{
    /// <summary>A value the binder could not produce (already reported).</summary>
    private static readonly object Failed = new();

    private const string YamlStrTag = "tag:yaml.org,2002:str";

    public DiagnosticBag Diagnostics { get; } = diagnostics;

    /// <summary>Keys starting with <c>x-</c> are free-form extensions in these types (and YAML anchors' usual home).</summary>
    private static readonly HashSet<Type> ExtensionKeyHosts = [typeof(DeploymentSpec), typeof(ServiceSpec)];

    public T? Bind<T>(YNode node, string path)
        where T : class
    {
        var value = Bind(typeof(T), node, path, allowQuotedNumber: false, allowNull: false);
        return ReferenceEquals(value, Failed) ? null : (T?)value;
    }

    /// <summary>
    /// The load has failed and no more errors are kept: binding the rest would only produce errors
    /// that are dropped (aliases can repeat one broken block hundreds of thousands of times). The
    /// bag turns the error reported here into its one "the rest are not shown" note.
    /// </summary>
    private bool GiveUp(YNode at, string path)
    {
        if (!Diagnostics.IsFull || !Diagnostics.HasErrors)
        {
            return false;
        }

        Diagnostics.Error("too-many", "", at.Location, path);
        return true;
    }

    public void Error(string code, string message, YNode at, string path) =>
        Diagnostics.Error(code, message, at.Location, path);

    /// <summary>A compatibility form: accepted, with a warning that <c>--strict</c> turns into an error.</summary>
    public void Compat(string message, YNode at, string path) =>
        Diagnostics.Warning("compat", message, at.Location, path);

    /// <summary>Binds one value; returns false (after reporting) when it could not be bound.</summary>
    public bool TryBind(Type type, YNode node, string path, out object? value)
    {
        value = Bind(type, node, path, allowQuotedNumber: false, allowNull: false);
        return !ReferenceEquals(value, Failed);
    }

    /// <param name="allowNull">
    /// Whether an explicit null may stand for "not set": only for optional keys of a nullable type.
    /// A required key, a non-nullable one, a list item or a map value written as null is an error
    /// (as serde reports it), so that no null reaches code that relies on the model's types.
    /// </param>
    private object? Bind(Type type, YNode node, string path, bool allowQuotedNumber, bool allowNull)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is YScalar { IsNull: true })
        {
            if (type == typeof(JsonNode))
            {
                return null;
            }

            if (NullFor(type) is { } empty)
            {
                return empty;
            }

            if (allowNull && (underlying is not null || !type.IsValueType))
            {
                return null;
            }

            Error("type", $"{Describe(path)} needs {ExpectedOf(type)}, found null", node, path);
            return Failed;
        }

        type = underlying ?? type;

        if (CustomBinders.TryBind(type, node, path, this, out var custom))
        {
            return custom;
        }

        if (type == typeof(string))
        {
            return node is YScalar s ? s.Value : Mismatch(type, node, path);
        }

        if (type == typeof(bool))
        {
            return BindBool(node, path);
        }

        if (IsInteger(type) || type == typeof(double))
        {
            return BindNumber(type, node, path, allowQuotedNumber);
        }

        if (type.IsEnum)
        {
            return BindEnum(type, node, path);
        }

        if (type == typeof(JsonNode))
        {
            return ToJson(node);
        }

        if (IsSpecScalar(type))
        {
            return BindSpecScalar(type, node, path);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return BindList(type, node, path);
        }

        if (IsStringDictionary(type, out var valueType))
        {
            return BindDictionary(type, valueType, node, path);
        }

        if (typeof(SpecObject).IsAssignableFrom(type))
        {
            return node is YMapping map ? BindObject(type, map, path) : Mismatch(type, node, path);
        }

        throw new InvalidOperationException($"spec binder has no rule for {type}");
    }

    /// <summary>An explicit null in an optional place leaves the default (an empty list or map), as serde does.</summary>
    private static object? NullFor(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(List<>) || IsStringDictionary(type, out _)) || type == typeof(EnvMap)
            ? Activator.CreateInstance(type)
            : null;

    public object BindObjectDefault(Type type, YMapping map, string path) => BindObject(type, map, path);

    private object BindObject(Type type, YMapping map, string path)
    {
        var info = SpecTypeInfo.Of(type);
        var target = (SpecObject)Activator.CreateInstance(type)!;
        target.Location = map.Location;
        target.SpecPath = path;

        string? variant = null;
        var variantFailed = false;
        object? tagValue = null;
        if (info.TagKey is { } tagKey)
        {
            var tagNode = map.Get(tagKey.Key);
            if (tagNode is null)
            {
                Error("missing-key", $"{Describe(path)} needs '{tagKey.Key}' (one of {string.Join(", ", SpecNaming.EnumValues(tagKey.ValueType))})", map, path);
                variantFailed = true;
            }
            else
            {
                tagValue = Bind(tagKey.ValueType, tagNode, Child(path, tagKey.Key), false, false);
                if (ReferenceEquals(tagValue, Failed) || tagValue is null)
                {
                    variantFailed = true;
                }
                else
                {
                    variant = SpecNaming.EnumValueOf(tagKey.ValueType, tagValue);
                }
            }
        }

        // Required keys that an unknown key was reported as a misspelling of: "needs 'port'" would
        // only repeat "unknown key 'prot'; did you mean 'port'?".
        HashSet<string>? suggested = null;
        foreach (var (keyNode, valueNode) in map.Entries)
        {
            if (GiveUp(keyNode, path))
            {
                break;
            }

            var key = keyNode.Value;
            if (key.StartsWith("x-", StringComparison.Ordinal) && ExtensionKeyHosts.Contains(type))
            {
                continue;
            }

            var childPath = Child(path, key);
            if (!info.ByName.TryGetValue(key, out var keyInfo))
            {
                if (info.IsOpen && Diagnostics.IsFull)
                {
                    // An ignored key whose warning is dropped: skip the suggestion, keep the note.
                    Diagnostics.Warning("unknown-key", "", keyNode.Location, childPath);
                    continue;
                }

                var closest = Suggestions.Closest(key, info.KeysFor(variant));
                var didYouMean = closest is null ? "" : $"; did you mean '{closest}'?";
                if (info.IsOpen)
                {
                    Diagnostics.Warning("unknown-key", $"unknown key '{key}' in {Describe(path)} is ignored{didYouMean}", keyNode.Location, childPath);
                }
                else
                {
                    Diagnostics.Error("unknown-key", $"unknown key '{key}' in {Describe(path)}{didYouMean}", keyNode.Location, childPath);
                    if (closest is not null)
                    {
                        (suggested ??= new(StringComparer.Ordinal)).Add(closest);
                    }
                }

                continue;
            }

            if (target.KeyLocations.ContainsKey(keyInfo.Key))
            {
                Diagnostics.Error("duplicate-key", $"'{key}' repeats '{keyInfo.Key}' (they are the same key)", keyNode.Location, childPath);
                continue;
            }

            // Errors about a scalar point at the value; errors about a block at its key.
            target.KeyLocations[keyInfo.Key] = valueNode is YScalar ? valueNode.Location : keyNode.Location;
            if (keyInfo == info.TagKey)
            {
                // Bound (and any error reported) above, where it chose the variant.
                if (!variantFailed)
                {
                    keyInfo.Property.SetValue(target, tagValue);
                }

                continue;
            }

            if (!variantFailed && !keyInfo.InVariant(variant))
            {
                var allowed = string.Join(", ", info.KeysFor(variant).Where(k => k != info.UnionTag));
                var allowedText = allowed.Length > 0 ? $" (allowed: {allowed})" : "";
                if (info.IsOpen)
                {
                    // Upstream's tagged enums that ignore unknown fields ignore another variant's too.
                    Diagnostics.Warning("unknown-key", $"key '{key}' does not apply with {info.UnionTag}: {variant} and is ignored{allowedText}", keyNode.Location, childPath);
                }
                else
                {
                    Diagnostics.Error("unknown-key", $"key '{key}' is not allowed with {info.UnionTag}: {variant}{allowedText}", keyNode.Location, childPath);
                }

                continue;
            }

            var value = Bind(keyInfo.ValueType, valueNode, childPath, keyInfo.AllowQuotedNumber, !keyInfo.Required && IsNullable(keyInfo.Property));
            if (!ReferenceEquals(value, Failed))
            {
                keyInfo.Property.SetValue(target, value);
            }
        }

        if (!variantFailed)
        {
            foreach (var keyInfo in info.Keys)
            {
                if (keyInfo.Required && keyInfo.InVariant(variant) && !target.KeyLocations.ContainsKey(keyInfo.Key) && suggested?.Contains(keyInfo.Key) != true)
                {
                    var where = variant is null ? Describe(path) : $"{Describe(path)} ({info.UnionTag}: {variant})";
                    Error("missing-key", $"{where} needs '{keyInfo.Key}'", map, Child(path, keyInfo.Key));
                }
            }
        }

        return target;
    }

    private object? BindList(Type type, YNode node, string path)
    {
        if (node is not YSequence seq)
        {
            return Mismatch(type, node, path);
        }

        var elementType = type.GetGenericArguments()[0];
        var list = (IList)Activator.CreateInstance(type)!;
        for (var i = 0; i < seq.Items.Count && !GiveUp(seq.Items[i], path); i++)
        {
            var item = Bind(elementType, seq.Items[i], $"{path}[{i}]", false, false);
            if (!ReferenceEquals(item, Failed))
            {
                list.Add(item);
            }
        }

        return list;
    }

    private object? BindDictionary(Type type, Type valueType, YNode node, string path)
    {
        if (node is not YMapping map)
        {
            return Mismatch(type, node, path);
        }

        var dict = (IDictionary)Activator.CreateInstance(type)!;
        foreach (var (keyNode, valueNode) in map.Entries)
        {
            if (GiveUp(keyNode, path))
            {
                break;
            }

            var childPath = Child(path, keyNode.Value);
            var value = Bind(valueType, valueNode, childPath, false, false);
            if (ReferenceEquals(value, Failed))
            {
                continue;
            }

            if (value is SpecObject spec)
            {
                // A named entry (a service, an external) is reported at its name.
                spec.Location = keyNode.Location;
            }

            dict[keyNode.Value] = value;
        }

        return dict;
    }

    private object? BindBool(YNode node, string path)
    {
        if (node is YScalar { IsPlain: true } s)
        {
            switch (s.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }
        }

        return node is YScalar scalar
            ? Fail($"{Describe(path)} needs true or false, found '{scalar.Value}'", node, path)
            : Mismatch(typeof(bool), node, path);
    }

    private object? BindNumber(Type type, YNode node, string path, bool allowQuoted)
    {
        if (node is not YScalar s)
        {
            return Mismatch(type, node, path);
        }

        if (!s.IsPlain || s.Tag == YamlStrTag)
        {
            if (!allowQuoted || ParseNumber(type, s.Value) is not { } quoted)
            {
                return Fail($"{Describe(path)} needs {ExpectedOf(type)}, found the string \"{Truncate(s.Value)}\"; write it without quotes", node, path);
            }

            Compat($"{Describe(path)} is written as a quoted string \"{s.Value}\"; write {s.Value} without quotes", node, path);
            return quoted;
        }

        if (ParseNumber(type, s.Value) is { } number)
        {
            return number;
        }

        if (IsInteger(type) && decimal.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            var (min, max) = RangeOf(type);
            return Fail($"{Describe(path)} must be between {min} and {max}, found {s.Value}", node, path);
        }

        return Fail($"{Describe(path)} needs {ExpectedOf(type)}, found '{Truncate(s.Value)}'", node, path);
    }

    private static object? ParseNumber(Type type, string text)
    {
        const NumberStyles integer = NumberStyles.AllowLeadingSign;
        var c = CultureInfo.InvariantCulture;
        if (type == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, c, out var d) && double.IsFinite(d) ? d : null;
        }

        if (type == typeof(byte))
        {
            return byte.TryParse(text, integer, c, out var v) ? v : null;
        }

        if (type == typeof(ushort))
        {
            return ushort.TryParse(text, integer, c, out var v) ? v : null;
        }

        if (type == typeof(int))
        {
            return int.TryParse(text, integer, c, out var v) ? v : null;
        }

        if (type == typeof(uint))
        {
            return uint.TryParse(text, integer, c, out var v) ? v : null;
        }

        if (type == typeof(long))
        {
            return long.TryParse(text, integer, c, out var v) ? v : null;
        }

        return ulong.TryParse(text, integer, c, out var u) ? u : null;
    }

    private object? BindEnum(Type type, YNode node, string path)
    {
        if (node is not YScalar s)
        {
            return Mismatch(type, node, path);
        }

        if (SpecNaming.TryParseEnum(type, s.Value, out var value))
        {
            return value;
        }

        var values = SpecNaming.EnumValues(type);
        return Fail($"{Describe(path)}: unknown value '{Truncate(s.Value)}', expected one of {string.Join(", ", values)}{Suggestions.DidYouMean(s.Value, values)}", node, path);
    }

    private object? BindSpecScalar(Type type, YNode node, string path)
    {
        if (node is not YScalar s)
        {
            return Mismatch(type, node, path);
        }

        var parse = ParseMethods.GetOrAdd(type, t => t.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), t.MakeByRefType(), typeof(string).MakeByRefType()])!);
        object?[] args = [s.Value, null, null];
        if ((bool)parse.Invoke(null, args)!)
        {
            return args[1];
        }

        return Fail($"{Describe(path)}: {args[2]}", node, path);
    }

    /// <summary>Free-form values (init step <c>with</c>): plain scalars become numbers, booleans or null, as YAML reads them.</summary>
    public static JsonNode? ToJson(YNode node)
    {
        switch (node)
        {
            case YScalar s when s.IsNull:
                return null;
            case YScalar { IsPlain: true, Tag: null } s:
                if (s.Value is "true" or "True" or "TRUE")
                {
                    return JsonValue.Create(true);
                }

                if (s.Value is "false" or "False" or "FALSE")
                {
                    return JsonValue.Create(false);
                }

                if (long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    return JsonValue.Create(l);
                }

                if (double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                {
                    return JsonValue.Create(d);
                }

                return JsonValue.Create(s.Value);
            case YScalar s:
                return JsonValue.Create(s.Value);
            case YSequence seq:
                return new JsonArray([.. seq.Items.Select(ToJson)]);
            case YMapping map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Entries)
                {
                    obj[k.Value] = ToJson(v);
                }

                return obj;
            default:
                return null;
        }
    }

    private object Mismatch(Type type, YNode node, string path)
    {
        var found = node switch
        {
            YScalar s => $"'{Truncate(s.Value)}'",
            _ => $"a {node.KindName}",
        };
        return Fail($"{Describe(path)} needs {ExpectedOf(type)}, found {found}", node, path);
    }

    private object Fail(string message, YNode node, string path)
    {
        Error("type", message, node, path);
        return Failed;
    }

    public static string Describe(string path) => path.Length == 0 ? "the document" : $"'{path}'";

    public static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..37] + "...";

    private static bool IsInteger(Type t) =>
        t == typeof(byte) || t == typeof(ushort) || t == typeof(int) || t == typeof(uint) || t == typeof(long) || t == typeof(ulong);

    private static (string Min, string Max) RangeOf(Type t) =>
        t == typeof(byte) ? ("0", "255") :
        t == typeof(ushort) ? ("0", "65535") :
        t == typeof(int) ? (int.MinValue.ToString(CultureInfo.InvariantCulture), int.MaxValue.ToString(CultureInfo.InvariantCulture)) :
        t == typeof(uint) ? ("0", uint.MaxValue.ToString(CultureInfo.InvariantCulture)) :
        t == typeof(long) ? (long.MinValue.ToString(CultureInfo.InvariantCulture), long.MaxValue.ToString(CultureInfo.InvariantCulture)) :
        ("0", ulong.MaxValue.ToString(CultureInfo.InvariantCulture));

    private static readonly ConcurrentDictionary<PropertyInfo, bool> NullableProperties = new();

    /// <summary>Whether the model declares the property nullable (<c>T?</c>), so that null means "not set".</summary>
    private static bool IsNullable(PropertyInfo property) => NullableProperties.GetOrAdd(property, static p =>
        Nullable.GetUnderlyingType(p.PropertyType) is not null ||
        (!p.PropertyType.IsValueType && new NullabilityInfoContext().Create(p).WriteState == NullabilityState.Nullable));

    private static readonly ConcurrentDictionary<Type, MethodInfo> ParseMethods = new();
    private static readonly ConcurrentDictionary<Type, bool> SpecScalarTypes = new();
    private static readonly ConcurrentDictionary<Type, Type?> DictionaryValueTypes = new();

    public static bool IsSpecScalar(Type t) => SpecScalarTypes.GetOrAdd(t, static t =>
        t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ISpecScalar<>)));

    public static bool IsStringDictionary(Type t, out Type valueType)
    {
        var cached = DictionaryValueTypes.GetOrAdd(t, static t => FindDictionaryValueType(t));
        valueType = cached ?? typeof(object);
        return cached is not null;
    }

    private static Type? FindDictionaryValueType(Type t)
    {
        var dictionary = t.GetInterfaces().Append(t)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string));
        return dictionary is null || t == typeof(JsonObject) ? null : dictionary.GetGenericArguments()[1];
    }

    public static string ExpectedOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a text value";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type == typeof(double))
        {
            return "a number";
        }

        if (IsInteger(type))
        {
            var (min, max) = RangeOf(type);
            return $"a whole number ({min}-{max})";
        }

        if (type.IsEnum)
        {
            return $"one of {string.Join(", ", SpecNaming.EnumValues(type))}";
        }

        if (IsSpecScalar(type))
        {
            return (string)type.GetProperty("SyntaxDescription", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return "a list";
        }

        if (type == typeof(NetworkMode))
        {
            return "default, host, none, bridge, bridge:NAME or container:ID";
        }

        return "a map";
    }
}
