using System.Text;
using System.Text.Json.Nodes;

namespace ZLayer.Networking.Cni;

/// <summary>Turns what a plugin printed and its exit status into a result or a precise exception.</summary>
internal static class PluginOutput
{
    /// <summary>Enough of a plugin's stderr to diagnose, short enough for a log line.</summary>
    private const int StderrInMessage = 1000;

    /// <summary>Enough of unexpected stdout to see what it was.</summary>
    private const int StdoutInMessage = 300;

    public static JsonObject? Interpret(string plugin, PluginInvocation invocation, int exitCode, byte[] stdout, string stderr)
    {
        if (exitCode != 0)
        {
            throw Failure(plugin, invocation, exitCode, stdout, stderr);
        }
        // DEL and CHECK succeed with nothing or with output the specification gives no meaning to.
        if (invocation.Command != CniCommand.Add)
        {
            return null;
        }
        try
        {
            var result = Json.ParseObject(stdout, "the result");
            CniResultReader.Read(result);
            return result;
        }
        catch (FormatException e)
        {
            throw new CniInvalidOutputException(
                $"{invocation.Describe(plugin)} succeeded but {Lower(e.Message)}{Stdout(stdout)}{Stderr(stderr)}",
                plugin, invocation.Command, invocation.ContainerId);
        }
    }

    private static CniException Failure(string plugin, PluginInvocation invocation, int exitCode, byte[] stdout, string stderr)
    {
        JsonObject error;
        try
        {
            error = Json.ParseObject(stdout, "its output");
        }
        catch (FormatException e)
        {
            return new CniInvalidOutputException(
                $"{invocation.Describe(plugin)} exited with status {exitCode} without a CNI error document: {e.Message}{Stdout(stdout)}{Stderr(stderr)}",
                plugin, invocation.Command, invocation.ContainerId);
        }

        if (error["code"] is not JsonValue codeValue || !codeValue.TryGetValue<int>(out var code) || code < 0)
        {
            return new CniInvalidOutputException(
                $"{invocation.Describe(plugin)} exited with status {exitCode}; its error document has no numeric 'code'{Stdout(stdout)}{Stderr(stderr)}",
                plugin, invocation.Command, invocation.ContainerId);
        }
        string message;
        string? details;
        try
        {
            message = Json.OptionalString(error, "msg", "error") ?? "";
            details = Json.OptionalString(error, "details", "error") is { Length: > 0 } d ? d : null;
        }
        catch (FormatException e)
        {
            return new CniInvalidOutputException(
                $"{invocation.Describe(plugin)} exited with status {exitCode}; its error document is malformed: {e.Message}{Stderr(stderr)}",
                plugin, invocation.Command, invocation.ContainerId);
        }

        var text = new StringBuilder($"{invocation.Describe(plugin)} failed: CNI error {code} ({CniErrorCodes.Describe(code)})");
        text.Append(": ").Append(message.Length > 0 ? message : "(no message)");
        if (details is not null && details != message)
        {
            text.Append(": ").Append(details);
        }
        text.Append(Stderr(stderr));
        return new CniPluginException(text.ToString(), plugin, invocation.Command, invocation.ContainerId, code, message, details, stderr);
    }

    private static string Stdout(byte[] stdout)
    {
        if (stdout.Length == 0)
        {
            return "; stdout was empty";
        }
        var text = Encoding.UTF8.GetString(stdout, 0, Math.Min(stdout.Length, StdoutInMessage)).Trim();
        return $"; stdout: {text}{(stdout.Length > StdoutInMessage ? "…" : "")}";
    }

    private static string Stderr(string stderr) =>
        stderr.Length == 0 ? "" : $"; stderr: {(stderr.Length > StderrInMessage ? stderr[..StderrInMessage] + "…" : stderr)}";

    private static string Lower(string message) => message.Length == 0 ? message : char.ToLowerInvariant(message[0]) + message[1..];
}
