using ZLayer.Cli.Commands;
using ZLayer.Cli.Terminal;
using ZLayer.Control;
using ZLayer.Server;

namespace ZLayer.Cli.Client;

/// <summary>
/// Runs a command that talks to the daemon: finds it (ZLAYER_HOST or the default socket) and
/// reports every failure one way, so all commands say "no daemon running" and print problem
/// documents alike.
/// </summary>
public static class ClientCommand
{
    /// <param name="timeout">How long one request may take (default 60 s); longer for operations that wait on replicas.</param>
    public static async Task<int> RunAsync(Func<ApiClient, Task<int>> body, CancellationToken ct, TimeSpan? timeout = null)
    {
        if (!DaemonAddress.TryParse(ZLayerPaths.Current.Host, out var address, out var error))
        {
            return Usage.Fail(error);
        }

        using var client = new ApiClient(address, timeout);
        try
        {
            return await body(client);
        }
        catch (DaemonUnreachableException ex)
        {
            Console.Error.WriteLine($"zlayer: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (ApiProblemException ex)
        {
            Report(ex.Problem);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("zlayer: interrupted");
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// Prints a problem document: an invalid spec as <c>zlayer validate</c> prints it
    /// (file:line:col lines, then the summary), anything else as one line.
    /// </summary>
    /// <summary>
    /// DELETEs each named resource in turn, printing "removed NAME" or the problem; one refusal
    /// does not keep the others from going. Exit 1 if any was not removed.
    /// </summary>
    public static async Task<int> RemoveEachAsync(ApiClient client, IEnumerable<string> names, Func<string, string> pathOf, CancellationToken ct)
    {
        var exit = ExitCodes.Success;
        foreach (var name in names)
        {
            try
            {
                await client.DeleteAsync(pathOf(name), ct);
                Console.Out.WriteLine($"removed {name}");
            }
            catch (ApiProblemException ex)
            {
                Report(ex.Problem);
                exit = ExitCodes.Failure;
            }
        }

        return exit;
    }

    public static void Report(ApiProblem problem)
    {
        var style = ConsoleStyle.ForStderr();
        if (problem.Errors is { Count: > 0 } errors)
        {
            DiagnosticPrinter.WriteText(Console.Error, style, errors.Select(e => e.ToDiagnostic()));
            Console.Error.WriteLine(style.Red(problem.Detail ?? problem.Title));
            return;
        }

        var message = problem.Status >= 500 && problem.Detail is not null
            ? $"{problem.Title}: {problem.Detail}"
            : problem.Detail ?? problem.Title;
        var field = problem.Field is { Length: > 0 } f ? $" (at {f})" : "";
        Console.Error.WriteLine($"zlayer: {style.Red("error")}: {message}{field}");
    }
}
