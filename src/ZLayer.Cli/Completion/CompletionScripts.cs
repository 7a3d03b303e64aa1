using System.CommandLine;
using System.Text;

namespace ZLayer.Cli.Completion;

/// <summary>
/// Shell completion scripts generated from the command tree, so they never fall behind the
/// commands. They are static (no process start per TAB): subcommands and options per command path.
/// </summary>
public static class CompletionScripts
{
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "fish"];

    public static string For(string shell, RootCommand root) => shell switch
    {
        "bash" => Bash(root),
        "zsh" => Zsh(root),
        "fish" => Fish(root),
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "unknown shell"),
    };

    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            foreach (var item in Walk(sub, $"{path} {sub.Name}"))
            {
                yield return item;
            }
        }
    }

    private static IEnumerable<string> OptionNames(Command command) =>
        command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct();

    private static string Bash(RootCommand root)
    {
        var commands = Walk(root, "zlayer").ToList();
        var sb = new StringBuilder();
        sb.AppendLine("# bash completion for zlayer; load with: source <(zlayer completion bash)");
        sb.AppendLine("_zlayer() {");
        sb.AppendLine("  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=\"zlayer\" i w");
        sb.AppendLine($"  local known=\"|{string.Join("|", commands.Select(c => c.Path))}|\"");
        sb.AppendLine("  for ((i = 1; i < COMP_CWORD; i++)); do");
        sb.AppendLine("    w=\"${COMP_WORDS[i]}\"");
        sb.AppendLine("    [[ \"$known\" == *\"|$path $w|\"* ]] && path=\"$path $w\"");
        sb.AppendLine("  done");
        sb.AppendLine("  local words=\"\"");
        sb.AppendLine("  case \"$path\" in");
        foreach (var (path, command) in commands)
        {
            var words = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).Concat(OptionNames(command)).Append("--help");
            sb.AppendLine($"    \"{path}\") words=\"{string.Join(' ', words.Distinct())}\" ;;");
        }

        sb.AppendLine("  esac");
        sb.AppendLine("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))");
        sb.AppendLine("}");
        sb.AppendLine("complete -o default -F _zlayer zlayer");
        return sb.ToString();
    }

    private static string Zsh(RootCommand root)
    {
        // zsh runs the bash function through bashcompinit: one generator, the same behaviour.
        var sb = new StringBuilder();
        sb.AppendLine("#compdef zlayer");
        sb.AppendLine("# zsh completion for zlayer; load with: source <(zlayer completion zsh)");
        sb.AppendLine("autoload -U +X bashcompinit && bashcompinit");
        sb.Append(Bash(root));
        return sb.ToString();
    }

    private static string Fish(RootCommand root)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# fish completion for zlayer; load with: zlayer completion fish | source");
        foreach (var (path, command) in Walk(root, "zlayer"))
        {
            var parts = path.Split(' ').Skip(1).ToArray();
            var condition = parts.Length == 0
                ? "__fish_use_subcommand"
                : $"__fish_seen_subcommand_from {parts[^1]}";
            foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
            {
                sb.AppendLine($"complete -c zlayer -n '{condition}' -f -a {sub.Name} -d '{Escape(sub.Description)}'");
            }

            foreach (var option in command.Options.Where(o => !o.Hidden))
            {
                var longName = option.Name.TrimStart('-');
                var shortName = option.Aliases.FirstOrDefault(a => a.Length == 2 && a[0] == '-' && a[1] != '-');
                var shortPart = shortName is null ? "" : $" -s {shortName[1..]}";
                sb.AppendLine($"complete -c zlayer -n '{condition}' -l {longName}{shortPart} -d '{Escape(option.Description)}'");
            }
        }

        return sb.ToString();
    }

    private static string Escape(string? text) => (text ?? "").Replace("'", "\\'", StringComparison.Ordinal);
}
