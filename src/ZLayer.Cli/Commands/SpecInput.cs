using System.CommandLine;
using ZLayer.Spec.Loading;

namespace ZLayer.Cli.Commands;

/// <summary>
/// The options every command that reads a spec shares: files as arguments or <c>-f</c>
/// (repeatable, compose files are merged in order), compose profiles and project name.
/// Without a file, the current directory is searched (SPEC.md Part A item 7).
/// </summary>
public sealed class SpecInput
{
    private readonly Argument<string[]> _files = new("FILE")
    {
        Description = "Spec or compose file(s); default: discovered in the current directory",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<string[]> _fileOption = new("--file", "-f")
    {
        Description = "Spec or compose file (repeatable; compose files are merged in order)",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string[]> _profiles = new("--profile")
    {
        Description = "Activate a compose profile (repeatable)",
    };

    private readonly Option<string?> _projectName = new("--project-name", "-p")
    {
        Description = "Compose project name (the deployment name)",
    };

    public SpecInput()
    {
        // Unknown options would otherwise be taken for file names.
        _files.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-') && t.Value != "-"))
            {
                result.AddError($"Unrecognized option '{token.Value}'.");
            }
        });
    }

    /// <param name="withArgument">False for commands whose positional argument is something else (a deployment name); files then come only from -f.</param>
    public void AddTo(Command command, bool singleFile = false, bool withArgument = true)
    {
        if (singleFile)
        {
            _files.Arity = ArgumentArity.ZeroOrOne;
        }

        if (withArgument)
        {
            command.Arguments.Add(_files);
        }

        command.Options.Add(_fileOption);
        command.Options.Add(_profiles);
        command.Options.Add(_projectName);
    }

    /// <summary>The files to load, or a usage error to print.</summary>
    public bool TryResolveFiles(ParseResult parse, out List<string> files, out string error)
    {
        files = [.. (_files.Parents.Any() ? parse.GetValue(_files) : null) ?? [], .. parse.GetValue(_fileOption) ?? []];
        error = "";
        if (files.Count > 0)
        {
            return true;
        }

        if (!SpecDiscovery.TryFind(Directory.GetCurrentDirectory(), out var found, out error))
        {
            return false;
        }

        files.Add(Path.GetRelativePath(Directory.GetCurrentDirectory(), found));
        return true;
    }

    public LoadOptions Options(ParseResult parse, bool strict = false) => new()
    {
        Strict = strict,
        Profiles = parse.GetValue(_profiles) ?? [],
        ProjectName = parse.GetValue(_projectName),
    };
}
