using System.Collections;
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
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SkipDerivedValues, SkipEmptyCollections } },
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

    /// <summary>Read-only helpers such as EffectiveTargetPort are derived, not part of the format.</summary>
    private static void SkipDerivedValues(JsonTypeInfo info)
    {
        if (!typeof(SpecObject).IsAssignableFrom(info.Type))
        {
            return;
        }

        foreach (var property in info.Properties.Where(p => p.Set is null).ToList())
        {
            info.Properties.Remove(property);
        }
    }

    private static void SkipEmptyCollections(JsonTypeInfo info)
    {
        foreach (var property in info.Properties)
        {
            if (typeof(ICollection).IsAssignableFrom(property.PropertyType) || property.PropertyType.IsGenericType && property.PropertyType.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollection<>)))
            {
                property.ShouldSerialize = (_, value) => value is not ICollection { Count: 0 };
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
