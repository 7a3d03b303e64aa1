using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using ZLayer.Cli.Client;
using ZLayer.Cli.Terminal;
using ZLayer.Server;
using ZLayer.Spec.Values;

namespace ZLayer.Cli.Commands;

/// <summary>
/// <c>zlayer image pull|ls|inspect|rm|prune|import|push</c>: the daemon's image store. Transfers
/// run in the daemon (it is the node that needs the image) and stream their progress here.
/// </summary>
public static class ImageCommand
{
    /// <summary>As the other commands write JSON, but with media types' '+' as written rather than escaped for HTML.</summary>
    private static readonly JsonSerializerOptions Json = new(StatusCommand.SnakeCase) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var command = new Command("image", "Pull, list, inspect, remove, import and push the node's images");
        command.Subcommands.Add(CreatePull());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateInspect());
        command.Subcommands.Add(CreateRemove());
        command.Subcommands.Add(CreatePrune());
        command.Subcommands.Add(CreateImport());
        command.Subcommands.Add(CreatePush());
        return command;
    }

    private static Option<bool> QuietOption() =>
        new("--quiet", "-q") { Description = "Print only the image's digest; no progress" };

    private static Command CreatePull()
    {
        var reference = new Argument<string>("REF") { Description = "An image reference, e.g. busybox, ghcr.io/acme/app:1.2 or repo@sha256:<64 hex>" };
        var policy = new Option<string>("--policy")
        {
            Description = "always: ask the registry every time; newer: fetch only when the registry's digest differs; if_not_present: only when not stored; never: only check the store",
            DefaultValueFactory = _ => "always",
        };
        policy.AcceptOnlyFromAmong("always", "newer", "if_not_present", "never");
        var quiet = QuietOption();
        var command = new Command("pull", "Fetch an image from its registry (or a mirror) into the node's store");
        command.Arguments.Add(reference);
        command.Options.Add(policy);
        command.Options.Add(quiet);
        command.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(reference)!;
            if (!ImageReference.TryParse(text, out _, out var error))
            {
                return Usage.Fail(error);
            }

            return await ClientCommand.RunAsync(
                async client =>
                {
                    var progress = new ImageTransferProgress(ImageTransferKind.Pull, parse.GetValue(quiet));
                    var outcome = await progress.FollowAsync(client.PostLinesAsync(ApiPaths.ImagePull, new ImagePullRequest(text, parse.GetValue(policy)), ct), ct);
                    Report(outcome.Image!, progress, parse.GetValue(quiet));
                    return ExitCodes.Success;
                },
                ct);
        });
        return command;
    }

    private static Command CreateList()
    {
        var output = OutputOption.Create("table", "table", "json");
        var command = new Command("ls", "List the node's images");
        command.Aliases.Add("list");
        command.Options.Add(output);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var images = await client.GetAsync<List<ImageSummary>>(ApiPaths.Images, ct);
                if (parse.GetValue(output) == "json")
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(images, Json));
                    return ExitCodes.Success;
                }

                var style = ConsoleStyle.ForStdout();
                var now = DateTimeOffset.UtcNow;
                var table = new TextTable("REFERENCE", "DIGEST", "PLATFORM", "SIZE", "AGE");
                foreach (var image in images)
                {
                    table.Add(image.Reference, ImageTransferProgress.Short(image.Digest), image.Platform, ByteSizes.Format(image.Size), Ages.Since(image.StoredAt, now));
                }

                table.Write(Console.Out, style);
                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    private static Command CreateInspect()
    {
        var reference = new Argument<string>("REF") { Description = "A stored image, by reference or digest (at least 12 hex digits)" };
        var command = new Command("inspect", "Show a stored image's record, config and manifest as JSON");
        command.Arguments.Add(reference);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var details = await client.GetAsync<ImageDetails>(ApiPaths.Image(parse.GetValue(reference)!), ct);
                Console.Out.WriteLine(JsonSerializer.Serialize(details, Json));
                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    private static Command CreateRemove()
    {
        var references = new Argument<string[]>("REF") { Description = "Stored images, by reference or digest (a digest removes every reference to it)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove images from the node's store (their content goes at the next prune)");
        command.Aliases.Add("remove");
        command.Arguments.Add(references);
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            client => ClientCommand.RemoveEachAsync(client, parse.GetValue(references)!, ApiPaths.Image, ct),
            ct));
        return command;
    }

    private static Command CreatePrune()
    {
        var command = new Command("prune", "Delete stored layers and blobs that no image needs");
        command.SetAction((parse, ct) => ClientCommand.RunAsync(
            async client =>
            {
                var freed = await client.PostAsync<ImagePruneResponse>(ApiPaths.ImagePrune, new { }, ct);
                Console.Out.WriteLine($"freed {ByteSizes.Format(freed.Bytes)}: {freed.Blobs} blob(s), {freed.Layers} unpacked layer(s)");
                return ExitCodes.Success;
            },
            ct));
        return command;
    }

    private static Command CreateImport()
    {
        var path = new Argument<string>("PATH") { Description = "An OCI image layout (directory or tar) or a docker-archive tar (docker save)" };
        var name = new Option<string?>("--name") { Description = "The reference to store the image under when the archive names none" };
        var quiet = QuietOption();
        var command = new Command("import", "Store images from an OCI layout or docker archive, without a registry");
        command.Arguments.Add(path);
        command.Options.Add(name);
        command.Options.Add(quiet);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(name) is { } text && !ImageReference.TryParse(text, out _, out var error))
            {
                return Usage.Fail($"--name: {error}");
            }

            // The daemon reads the path; its working directory is not this shell's.
            var full = Path.GetFullPath(parse.GetValue(path)!);
            return await ClientCommand.RunAsync(
                async client =>
                {
                    var progress = new ImageTransferProgress(ImageTransferKind.Import, parse.GetValue(quiet));
                    var outcome = await progress.FollowAsync(client.PostLinesAsync(ApiPaths.ImageImport, new ImageImportRequest(full, parse.GetValue(name)), ct), ct);
                    foreach (var image in outcome.Images ?? [])
                    {
                        Report(image, progress, parse.GetValue(quiet));
                    }

                    return ExitCodes.Success;
                },
                ct);
        });
        return command;
    }

    private static Command CreatePush()
    {
        var source = new Argument<string>("SOURCE") { Description = "A stored image, by reference or digest" };
        var target = new Argument<string?>("TARGET") { Description = "Where to push it (default: SOURCE's own reference)", Arity = ArgumentArity.ZeroOrOne };
        var quiet = QuietOption();
        var command = new Command("push", "Send a stored image to a registry");
        command.Arguments.Add(source);
        command.Arguments.Add(target);
        command.Options.Add(quiet);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(target) is { } text && !ImageReference.TryParse(text, out _, out var error))
            {
                return Usage.Fail(error);
            }

            return await ClientCommand.RunAsync(
                async client =>
                {
                    var progress = new ImageTransferProgress(ImageTransferKind.Push, parse.GetValue(quiet));
                    var outcome = await progress.FollowAsync(client.PostLinesAsync(ApiPaths.ImagePush, new ImagePushRequest(parse.GetValue(source)!, parse.GetValue(target)), ct), ct);
                    Report(outcome.Image!, progress, parse.GetValue(quiet));
                    return ExitCodes.Success;
                },
                ct);
        });
        return command;
    }

    /// <summary>The outcome on stdout: the digest alone when quiet, else the image and what happened to it.</summary>
    private static void Report(ImageSummary image, ImageTransferProgress progress, bool quiet)
    {
        if (quiet)
        {
            Console.Out.WriteLine(image.Digest);
            return;
        }

        var outcome = progress.Outcomes.GetValueOrDefault(image.Reference) ?? "done";
        Console.Out.WriteLine(outcome.Contains(image.Digest, StringComparison.Ordinal)
            ? $"{image.Reference}: {outcome}"
            : $"{image.Reference}: {outcome} ({image.Digest})");
    }
}
