using System.Text;
using ZLayer.Spec.Binding;
using ZLayer.Spec.Compose;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;
using ZLayer.Spec.Validation;
using ZLayer.Spec.Yaml;

namespace ZLayer.Spec.Loading;

/// <summary>
/// The one way into the model: reads ZLayer v1 or Compose files, binds, normalises and validates
/// them, and returns the model with every diagnostic. Never throws on bad input.
/// </summary>
public static class SpecLoader
{
    public static LoadResult LoadFiles(IReadOnlyList<string> files, LoadOptions? options = null)
    {
        options ??= new LoadOptions();
        if (files.Count == 0)
        {
            throw new ArgumentException("at least one file is needed", nameof(files));
        }

        var diagnostics = new DiagnosticBag();
        var texts = new List<(string File, string Text)>();
        foreach (var file in files)
        {
            if (ReadFile(file, diagnostics) is { } text)
            {
                texts.Add((file, text));
            }
        }

        if (texts.Count != files.Count)
        {
            return Finish(null, diagnostics, options, SpecFormat.ZLayer, files);
        }

        var format = options.Format ?? Detect(texts[0].File, texts[0].Text);
        if (format == SpecFormat.Compose)
        {
            return LoadCompose(files, options, diagnostics);
        }

        if (texts.Count > 1)
        {
            diagnostics.Error("usage", "several -f files can only be merged for compose files; a ZLayer spec is one file", SourceLocation.None(texts[1].File));
            return Finish(null, diagnostics, options, format, files);
        }

        var spec = LoadZLayer(texts[0].Text, texts[0].File, diagnostics);
        return Finish(spec, diagnostics, options, format, files);
    }

    public static LoadResult LoadText(string text, string fileName, LoadOptions? options = null, string? baseDirectory = null)
    {
        options ??= new LoadOptions();
        var diagnostics = new DiagnosticBag();
        var format = options.Format ?? Detect(fileName, text);
        if (format == SpecFormat.Compose)
        {
            return LoadComposeText(text, fileName, baseDirectory ?? Directory.GetCurrentDirectory(), options, diagnostics);
        }

        return Finish(LoadZLayer(text, fileName, diagnostics), diagnostics, options, format, [fileName]);
    }

    private static LoadResult LoadCompose(IReadOnlyList<string> files, LoadOptions options, DiagnosticBag diagnostics)
    {
        var spec = ComposeLoader.Load(files, ComposeOptionsFrom(options), diagnostics);
        return FinishCompose(spec, diagnostics, options, files);
    }

    private static LoadResult LoadComposeText(string text, string fileName, string baseDirectory, LoadOptions options, DiagnosticBag diagnostics)
    {
        var spec = ComposeLoader.LoadText(text, fileName, baseDirectory, ComposeOptionsFrom(options), diagnostics);
        return FinishCompose(spec, diagnostics, options, [fileName]);
    }

    /// <summary>The imported model goes through the same normalisation and rules as a native spec.</summary>
    private static LoadResult FinishCompose(DeploymentSpec? spec, DiagnosticBag diagnostics, LoadOptions options, IReadOnlyList<string> files)
    {
        if (spec is not null)
        {
            SpecNormalizer.Normalize(spec, diagnostics);
            SpecValidator.Validate(spec, diagnostics);
        }

        return Finish(spec, diagnostics, options, SpecFormat.Compose, files);
    }

    private static ComposeOptions ComposeOptionsFrom(LoadOptions options) => new()
    {
        Environment = options.Environment,
        Profiles = options.Profiles,
        ProjectName = options.ProjectName,
    };

    private static DeploymentSpec? LoadZLayer(string text, string file, DiagnosticBag diagnostics)
    {
        var root = YamlTreeReader.Read(text, file, diagnostics);
        if (root is null)
        {
            if (!diagnostics.HasErrors)
            {
                diagnostics.Error("empty", "the file is empty; a spec needs at least 'version: v1' and 'deployment: NAME'", new SourceLocation(file, 1, 1));
            }

            return null;
        }

        if (root is not YMapping)
        {
            diagnostics.Error("type", $"a spec is a map of keys (version, deployment, services); found a {root.KindName}", root.Location);
            return null;
        }

        var spec = new SpecBinder(diagnostics).Bind<DeploymentSpec>(root, "");
        if (spec is null)
        {
            return null;
        }

        SpecNormalizer.Normalize(spec, diagnostics);
        SpecValidator.Validate(spec, diagnostics);
        return spec;
    }

    /// <summary>A file is compose when its name says so, or when it has services but no deployment key.</summary>
    public static SpecFormat Detect(string file, string text)
    {
        if (SpecDiscovery.LooksLikeComposeName(file))
        {
            return SpecFormat.Compose;
        }

        var hasDeployment = false;
        var hasServices = false;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            hasDeployment |= line.StartsWith("deployment:");
            hasServices |= line.StartsWith("services:");
        }

        return hasServices && !hasDeployment ? SpecFormat.Compose : SpecFormat.ZLayer;
    }

    private static string? ReadFile(string file, DiagnosticBag diagnostics)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                diagnostics.Error("io", Directory.Exists(file) ? "is a directory, not a spec file" : "no such file", SourceLocation.None(file));
                return null;
            }

            if (info.Length > YamlReadLimits.Default.MaxBytes)
            {
                diagnostics.Error("file-too-large", $"file is {info.Length} bytes, more than the limit of {YamlReadLimits.Default.MaxBytes}", SourceLocation.None(file));
                return null;
            }

            var bytes = File.ReadAllBytes(file);
            try
            {
                var text = new UTF8Encoding(false, true).GetString(bytes);
                return text.StartsWith('\uFEFF') ? text[1..] : text;
            }
            catch (DecoderFallbackException ex)
            {
                diagnostics.Error("encoding", $"not valid UTF-8 text (bad byte at offset {ex.Index})", new SourceLocation(file, 1, 1));
                return null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error("io", $"cannot read: {ex.Message}", SourceLocation.None(file));
            return null;
        }
    }

    private static LoadResult Finish(DeploymentSpec? spec, DiagnosticBag diagnostics, LoadOptions options, SpecFormat format, IReadOnlyList<string> files)
    {
        IEnumerable<Diagnostic> items = diagnostics.Sorted();
        if (options.Strict)
        {
            items = items.Select(d => d.Code == "compat" && !d.IsError ? d with { Severity = Severity.Error, Message = d.Message + " (--strict)" } : d);
        }

        return new LoadResult(spec, [.. items], format, files);
    }
}
