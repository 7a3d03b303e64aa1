using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZLayer.Spec.Binding;

/// <summary>How C# names map to spec keys and enum values: snake_case unless an attribute says otherwise.</summary>
public static class SpecNaming
{
    public static string KeyOf(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);

    public static string EnumValueOf(Type enumType, object value)
    {
        var name = Enum.GetName(enumType, value)!;
        var field = enumType.GetField(name)!;
        return field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
    }

    public static IReadOnlyList<string> EnumValues(Type enumType) =>
        [.. Enum.GetValues(enumType).Cast<object>().Select(v => EnumValueOf(enumType, v))];

    public static bool TryParseEnum(Type enumType, string text, out object? value)
    {
        foreach (var v in Enum.GetValues(enumType))
        {
            if (EnumValueOf(enumType, v) == text)
            {
                value = v;
                return true;
            }
        }

        value = null;
        return false;
    }
}
