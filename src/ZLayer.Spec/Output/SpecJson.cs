using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ZLayer.Spec.Binding;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Output;

/// <summary>
/// The JSON form of the model, in the spec's own key names, so that what <c>zlayer spec dump</c>
/// prints loads again as a ZLayer spec. Unset values and empty collections are left out.
/// </summary>
public static class SpecJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(DeploymentSpec spec, bool indented = true) =>
        JsonSerializer.Serialize(spec, indented ? IndentedOptions : Options);

    private static readonly JsonSerializerOptions IndentedOptions = new(Options) { WriteIndented = true };

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SkipEmptyCollections, OnlySpecKeys } },
            Converters =
            {
                new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower),
                new SpecScalarConverterFactory(),
                new NetworkModeConverter(),
                new AffinityConverter(),
            },
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// Writes only what the loader reads back: get-only properties of the model (EffectiveTargetPort,
    /// IsHttpLike, InitialReplicas) are derived, not spec keys, and a union member is written only in
    /// its variants (a tmpfs entry with 'readonly: false' is refused). Either made the output fail
    /// to load again.
    /// </summary>
    private static void OnlySpecKeys(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !typeof(SpecObject).IsAssignableFrom(info.Type))
        {
            return;
        }

        var spec = SpecTypeInfo.Of(info.Type);
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            var property = info.Properties[i];
            if (property.Set is null)
            {
                info.Properties.RemoveAt(i);
                continue;
            }

            var name = (property.AttributeProvider as PropertyInfo)?.Name;
            if (spec.TagKey is { } tag && spec.Keys.FirstOrDefault(k => k.Property.Name == name) is { Variants: not null } key)
            {
                var inner = property.ShouldSerialize;
                property.ShouldSerialize = (obj, value) =>
                    tag.Property.GetValue(obj) is { } variant && key.InVariant(SpecNaming.EnumValueOf(tag.ValueType, variant)) &&
                    (inner?.Invoke(obj, value) ?? value is not null);
            }
        }
    }

    private static void SkipEmptyCollections(JsonTypeInfo info)
    {
        foreach (var property in info.Properties)
        {
            if (typeof(ICollection).IsAssignableFrom(property.PropertyType) || property.PropertyType.IsGenericType && property.PropertyType.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollection<>)))
            {
                // A ShouldSerialize replaces the ignore-when-null rule, so null is left out here too
                // (a null 'credentials' on a bind storage entry made the output fail to load).
                property.ShouldSerialize = (_, value) => value is not null and not ICollection { Count: 0 };
            }
        }
    }

    private sealed class SpecScalarConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => SpecBinder.IsSpecScalar(typeToConvert);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(SpecScalarConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class SpecScalarConverter<T> : JsonConverter<T>
        where T : ISpecScalar<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            T.TryParse(reader.GetString() ?? "", out var value, out var error) ? value : throw new JsonException(error);

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToSpecString());
    }

    private sealed class NetworkModeConverter : JsonConverter<NetworkMode>
    {
        public override NetworkMode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            NetworkMode.TryParse(reader.GetString() ?? "", out var mode, out var error) ? mode : throw new JsonException(error);

        public override void Write(Utf8JsonWriter writer, NetworkMode value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }

    private sealed class AffinityConverter : JsonConverter<Affinity>
    {
        public override Affinity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString() switch
                {
                    "spread" => new Affinity(AffinityKind.Spread),
                    "pack" => new Affinity(AffinityKind.Pack),
                    var other => throw new JsonException($"unknown affinity '{other}'"),
                };
            }

            using var doc = JsonDocument.ParseValue(ref reader);
            return new Affinity(AffinityKind.Pin, doc.RootElement.GetProperty("pin").GetString());
        }

        public override void Write(Utf8JsonWriter writer, Affinity value, JsonSerializerOptions options)
        {
            if (value.Kind == AffinityKind.Pin)
            {
                writer.WriteStartObject();
                writer.WriteString("pin", value.Pin);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStringValue(value.Kind == AffinityKind.Spread ? "spread" : "pack");
            }
        }
    }
}
