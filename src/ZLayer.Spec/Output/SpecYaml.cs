using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Output;

/// <summary>The YAML form of the model: the JSON form written as block YAML, strings quoted where YAML would misread them.</summary>
public static class SpecYaml
{
    public static string Serialize(DeploymentSpec spec) => FromJson(JsonNode.Parse(SpecJson.Serialize(spec, indented: false)));

    public static string FromJson(JsonNode? node)
    {
        using var writer = new StringWriter();
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, true));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Write(emitter, node);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Write(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    emitter.Emit(new Scalar(null, null, key, ScalarStyle.Any, true, true));
                    Write(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array)
                {
                    Write(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value:
                var kind = value.GetValueKind();
                if (kind == System.Text.Json.JsonValueKind.String)
                {
                    var text = value.GetValue<string>();
                    // Strings that YAML would read as another type (true, 123, null, ~) are quoted.
                    var plainIsString = !LooksTyped(text);
                    emitter.Emit(new Scalar(null, null, text, plainIsString ? ScalarStyle.Any : ScalarStyle.DoubleQuoted, plainIsString, !plainIsString));
                }
                else
                {
                    emitter.Emit(new Scalar(null, null, value.ToJsonString(), ScalarStyle.Plain, true, false));
                }

                break;
        }
    }

    private static bool LooksTyped(string text) =>
        text is "" or "~" or "null" or "Null" or "NULL" or "true" or "True" or "TRUE" or "false" or "False" or "FALSE" ||
        // YAML 1.1 readers (PyYAML, older tools) also take these for booleans.
        text.ToLowerInvariant() is "yes" or "no" or "on" or "off" or "y" or "n" ||
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _) ||
        text.StartsWith("0o", StringComparison.Ordinal) || text.StartsWith("0x", StringComparison.Ordinal);
}
