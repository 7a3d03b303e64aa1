using ZLayer.Cli.Terminal;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Model;
using ZLayer.Spec.Output;
using ZLayer.Spec.Substitution;

namespace ZLayer.Cli.Client;

/// <summary>A spec checked on the client and ready to send: the text the daemon stores, and where it came from.</summary>
public sealed record PreparedSpec(string Text, string Source, DeploymentSpec Spec);

/// <summary>
/// What <c>deploy</c> and <c>up</c> do before talking to the daemon: load and validate the files
/// (the same report as <c>zlayer validate</c>) and resolve <c>$E:</c> references in the
/// caller's environment, so a mistake is reported before anything changes.
/// </summary>
public static class SpecSubmission
{
    /// <summary>Prints diagnostics on stderr; null when the spec cannot be deployed.</summary>
    public static PreparedSpec? Prepare(IReadOnlyList<string> files, LoadOptions options, bool resolveEnvironmentHere)
    {
        var result = SpecLoader.LoadFiles(files, options);
        var style = ConsoleStyle.ForStderr();
        DiagnosticPrinter.WriteText(Console.Error, style, result.Diagnostics);
        if (!result.Succeeded)
        {
            Console.Error.WriteLine(style.Red(DiagnosticPrinter.Summary(result)));
            return null;
        }

        var spec = result.Spec!;
        var envChanged = false;
        if (resolveEnvironmentHere && !ResolveEnvironment(spec, out envChanged, out var missing))
        {
            foreach (var line in missing)
            {
                Console.Error.WriteLine($"zlayer: {style.Red("error")}: {line}");
            }

            Console.Error.WriteLine("zlayer: set the variables, or deploy with --env-from daemon to resolve them in the daemon's environment");
            return null;
        }

        // The daemon stores and re-validates what it receives: the file itself when it is a
        // ZLayer spec used as written (its comments and positions kept), else the normalised model.
        var text = result.Format == SpecFormat.ZLayer && !envChanged
            ? File.ReadAllText(files[0])
            : SpecYaml.Serialize(spec);
        return new PreparedSpec(text, files[0], spec);
    }

    /// <summary>
    /// Replaces <c>$E:NAME</c> in every env value with this process's variable (escaped for the
    /// later stages). Every missing variable is reported, naming the service and key.
    /// </summary>
    public static bool ResolveEnvironment(DeploymentSpec spec, out bool changed, out List<string> missing)
    {
        changed = false;
        missing = [];
        foreach (var (serviceName, service) in spec.Services)
        {
            foreach (var key in service.Env.Keys.ToList())
            {
                var value = service.Env[key];
                var resolved = EnvTemplate.ResolveEnvironment(value, Environment.GetEnvironmentVariable, out var absent);
                foreach (var name in absent)
                {
                    missing.Add($"services.{serviceName}.env.{key}: environment variable '{name}' is not set (referenced as $E:{name})");
                }

                if (resolved != value)
                {
                    service.Env[key] = resolved;
                    changed = true;
                }
            }
        }

        return missing.Count == 0;
    }
}
