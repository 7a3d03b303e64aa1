using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Compose;

/// <summary>One compose file as parsed, before interpolation: its root map, its absolute path and its name in diagnostics.</summary>
internal sealed record ComposeSourceFile(string FullPath, string DisplayName, YMapping Root);

/// <summary>Parses compose files into YAML trees whose root is a map; anything else is a diagnostic.</summary>
internal static class ComposeFileReader
{
    public static ComposeSourceFile? ReadFile(ComposeSession session, string fullPath, string displayName, string what, SourceLocation requestedAt, string path)
    {
        var text = session.ReadText(fullPath, what, requestedAt, path);
        return text is null ? null : Parse(session, text, fullPath, displayName);
    }

    public static ComposeSourceFile? Parse(ComposeSession session, string text, string fullPath, string displayName)
    {
        var root = YamlTreeReader.Read(text, displayName, session.Reporter.Diagnostics);
        switch (root)
        {
            case YMapping map:
                return new ComposeSourceFile(fullPath, displayName, map);
            case null or YScalar { IsNull: true }:
                if (!session.Reporter.Diagnostics.Items.Any(d => d.IsError && d.Location.File == displayName))
                {
                    session.Reporter.Error(ComposeCodes.File, "the compose file is empty", new SourceLocation(displayName, 1, 1), "");
                }

                return null;
            default:
                session.Reporter.Error(ComposeCodes.Type, $"a compose file is a map of top-level keys (services, volumes, ...); found a {root.KindName}", root, "");
                return null;
        }
    }
}
