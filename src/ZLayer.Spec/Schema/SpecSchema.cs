using System.Text.Json.Nodes;
using ZLayer.Spec.Binding;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Schema;

/// <summary>
/// A JSON Schema (draft 2020-12) of the ZLayer v1 format, generated from the same type metadata the
/// binder uses. It describes the canonical forms; compatibility forms (SPEC.md Part A item 2) are
/// left out on purpose, so editors steer authors to the form that <c>--strict</c> accepts.
/// </summary>
public static class SpecSchema
{
    public static JsonObject Generate()
    {
        var defs = new JsonObject();
        var root = ObjectSchema(typeof(DeploymentSpec), defs);
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        root["$id"] = "https://zlayer.dev/schemas/zlayer-v1.json";
        root["title"] = "ZLayer v1 deployment spec";
        root["$defs"] = defs;
        return root;
    }

    private static JsonObject ObjectSchema(Type type, JsonObject defs)
    {
        var info = SpecTypeInfo.Of(type);
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var key in info.Keys.Where(k => !info.CompatKeys.Contains(k.Key)))
        {
            var schema = ValueSchema(key.ValueType, defs);
            if (key.Doc is not null)
            {
                schema["description"] = key.Doc;
            }

            properties[key.Key] = schema;
            if (key.Required && key.Variants is null)
            {
                required.Add(key.Key);
            }
        }

        var result = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (info.Doc is not null)
        {
            result["description"] = info.Doc;
        }

        if (required.Count > 0)
        {
            result["required"] = required;
        }

        if (type == typeof(DeploymentSpec) || type == typeof(ServiceSpec))
        {
            result["patternProperties"] = new JsonObject { ["^x-"] = new JsonObject() };
        }

        result["additionalProperties"] = info.IsOpen;
        if (info.TagKey is { } tag)
        {
            var variants = new JsonArray();
            foreach (var variant in SpecNaming.EnumValues(tag.ValueType))
            {
                var variantRequired = new JsonArray(JsonValue.Create(tag.Key));
                foreach (var k in info.Keys.Where(k => k.Required && k.Variants is not null && k.Variants.Contains(variant)))
                {
                    variantRequired.Add(k.Key);
                }

                var forbidden = info.Keys.Where(k => !k.InVariant(variant)).Select(k => (JsonNode)new JsonObject { ["required"] = new JsonArray(JsonValue.Create(k.Key)) }).ToArray();
                var branch = new JsonObject
                {
                    ["properties"] = new JsonObject { [tag.Key] = new JsonObject { ["const"] = variant } },
                    ["required"] = variantRequired,
                };
                if (forbidden.Length > 0)
                {
                    branch["not"] = new JsonObject { ["anyOf"] = new JsonArray(forbidden) };
                }

                variants.Add(branch);
            }

            result["oneOf"] = variants;
        }

        return result;
    }

    private static JsonObject ValueSchema(Type type, JsonObject defs)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(double))
        {
            return new JsonObject { ["type"] = "number" };
        }

        if (type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong))
        {
            var max = type == typeof(byte) ? byte.MaxValue : type == typeof(ushort) ? ushort.MaxValue : type == typeof(uint) ? uint.MaxValue : (double)ulong.MaxValue;
            return new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = max };
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return new JsonObject { ["type"] = "integer" };
        }

        if (type.IsEnum)
        {
            return new JsonObject { ["enum"] = new JsonArray([.. SpecNaming.EnumValues(type).Select(v => JsonValue.Create(v))]) };
        }

        if (type == typeof(JsonNode))
        {
            return [];
        }

        if (type == typeof(NetworkMode))
        {
            return new JsonObject
            {
                ["type"] = "string",
                ["pattern"] = "^(default|host|none|bridge|bridge:.+|container:.+)$",
            };
        }

        if (type == typeof(Affinity))
        {
            return new JsonObject
            {
                ["oneOf"] = new JsonArray(
                    new JsonObject { ["enum"] = new JsonArray("spread", "pack") },
                    new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject { ["pin"] = new JsonObject { ["type"] = "string" } },
                        ["required"] = new JsonArray("pin"),
                        ["additionalProperties"] = false,
                    }),
            };
        }

        if (SpecBinder.IsSpecScalar(type))
        {
            return new JsonObject { ["type"] = "string", ["description"] = SpecBinder.ExpectedOf(type) };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return new JsonObject { ["type"] = "array", ["items"] = ValueSchema(type.GetGenericArguments()[0], defs) };
        }

        if (SpecBinder.IsStringDictionary(type, out var valueType))
        {
            var values = valueType == typeof(string)
                ? new JsonObject { ["type"] = new JsonArray("string", "number", "boolean") }
                : ValueSchema(valueType, defs);
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = values };
        }

        var name = type.Name;
        if (!defs.ContainsKey(name))
        {
            defs[name] = new JsonObject();
            defs[name] = ObjectSchema(type, defs);
        }

        return new JsonObject { ["$ref"] = $"#/$defs/{name}" };
    }
}
