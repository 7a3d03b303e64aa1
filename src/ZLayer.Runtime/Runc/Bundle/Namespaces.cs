using System.Text.Json.Nodes;
using ZLayer.Spec.Model;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// The namespaces of a replica: its own mount and UTS namespaces always; PID, IPC and network its
/// own, shared with the host (<c>host</c> modes: the namespace is left out), or joined by path
/// (<c>container:ID</c>, the path given by the runtime, which knows that container).
/// </summary>
public sealed record Namespaces(JsonArray Json, bool HostNetwork, bool HostPid, IpcSharing Ipc)
{
    public static Namespaces Build(BundleRequest request)
    {
        var service = request.Replica.Service;
        var name = request.Replica.ServiceName;
        var json = new JsonArray();

        var pidMode = Mode(service.PidMode);
        switch (pidMode.Kind)
        {
            case "" or "private":
                Refuse(name, request.PidNamespacePath, "pid_mode", service.PidMode);
                json.Add(Entry("pid", null));
                break;
            case "host":
                Refuse(name, request.PidNamespacePath, "pid_mode", service.PidMode);
                break;
            case "container":
                json.Add(Entry("pid", Require(name, request.PidNamespacePath, "pid_mode", service.PidMode!)));
                break;
            default:
                throw BundleError.For(name, $"pid_mode '{service.PidMode}' is not host, private or container:ID");
        }

        var ipcMode = Mode(service.IpcMode);
        var ipc = IpcSharing.Private;
        switch (ipcMode.Kind)
        {
            case "" or "private" or "shareable" or "none":
                Refuse(name, request.IpcNamespacePath, "ipc_mode", service.IpcMode);
                json.Add(Entry("ipc", null));
                ipc = ipcMode.Kind == "none" ? IpcSharing.NoShm : IpcSharing.Private;
                break;
            case "host":
                Refuse(name, request.IpcNamespacePath, "ipc_mode", service.IpcMode);
                ipc = IpcSharing.Host;
                break;
            case "container":
                json.Add(Entry("ipc", Require(name, request.IpcNamespacePath, "ipc_mode", service.IpcMode!)));
                break;
            default:
                throw BundleError.For(name, $"ipc_mode '{service.IpcMode}' is not private, shareable, none, host or container:ID");
        }

        json.Add(Entry("uts", null));
        json.Add(Entry("mount", null));

        var network = service.NetworkMode;
        var hostNetwork = network.Kind == NetworkModeKind.Host || service.HostNetwork == true;
        if (hostNetwork)
        {
            Refuse(name, request.NetworkNamespacePath, "network_mode", "host");
        }
        else if (network.Kind == NetworkModeKind.None)
        {
            // The runtime may have prepared a namespace with loopback up; else a new, empty one.
            json.Add(Entry("network", request.NetworkNamespacePath));
        }
        else if (network.Kind == NetworkModeKind.Container)
        {
            json.Add(Entry("network", Require(name, request.NetworkNamespacePath, "network_mode", network.ToString())));
        }
        else
        {
            json.Add(Entry("network", request.NetworkNamespacePath));
        }

        if (!string.IsNullOrWhiteSpace(service.UsernsMode) && service.UsernsMode.Trim() != "host")
        {
            throw BundleError.For(name, $"userns_mode '{service.UsernsMode}' is not supported by the runc runtime (only host)");
        }

        return new Namespaces(json, hostNetwork, pidMode.Kind == "host", ipc);
    }

    private static (string Kind, string? Target) Mode(string? text)
    {
        var s = text?.Trim() ?? "";
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (s, null) : (s[..colon], s[(colon + 1)..]);
    }

    private static void Refuse(string service, string? path, string field, string? mode)
    {
        if (path is not null)
        {
            throw BundleError.For(service, $"{field} '{(string.IsNullOrEmpty(mode) ? "default" : mode)}' does not join another namespace, yet the runtime passed {path}");
        }
    }

    private static string Require(string service, string? path, string field, string mode)
    {
        if (string.IsNullOrWhiteSpace(path) || !path.StartsWith('/'))
        {
            throw BundleError.For(service, $"{field} '{mode}' needs the namespace path of that container, which the runtime did not give");
        }

        return path;
    }

    private static JsonObject Entry(string type, string? path)
    {
        var entry = new JsonObject { ["type"] = type };
        if (path is not null)
        {
            entry["path"] = path;
        }

        return entry;
    }
}
