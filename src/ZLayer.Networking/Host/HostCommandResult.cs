namespace ZLayer.Networking.Host;

internal sealed record HostCommandResult(int ExitCode, string Stdout, string Stderr);
