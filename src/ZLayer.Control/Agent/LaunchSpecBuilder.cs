using System.Globalization;
using System.Text;
using ZLayer.Control.Model;
using ZLayer.Runtime;
using ZLayer.Spec.Model;
using ZLayer.Spec.Substitution;

namespace ZLayer.Control.Agent;

/// <summary>
/// Resolves a service spec into what a runtime runs: the argv, the environment with every
/// reference substituted (last stage of SPEC.md's staged substitution), and the wiring variables
/// (PORT, ZLAYER_PORT_&lt;ENDPOINT&gt;, &lt;DEP&gt;_HOST/&lt;DEP&gt;_PORT, ZLAYER_REPLICA...).
/// </summary>
public static class LaunchSpecBuilder
{
    public static ReplicaLaunchSpec Build(
        ReplicaAssignment assignment,
        ServiceSpec service,
        IReadOnlyDictionary<string, int> ports,
        IReadOnlyDictionary<string, ServiceAddress> services,
        Func<string, string?> daemonEnvironment)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = daemonEnvironment("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOME"] = daemonEnvironment("HOME") ?? "/root",
            ["ZLAYER_DEPLOYMENT"] = assignment.Deployment,
            ["ZLAYER_SERVICE"] = assignment.Service,
            ["ZLAYER_REPLICA"] = assignment.ReplicaId,
            ["ZLAYER_REPLICA_INDEX"] = assignment.Index.ToString(CultureInfo.InvariantCulture),
        };

        if (service.Endpoints.Count > 0 && ports.TryGetValue(service.Endpoints[0].Name, out var first))
        {
            env["PORT"] = first.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var endpoint in service.Endpoints)
        {
            if (ports.TryGetValue(endpoint.Name, out var port))
            {
                env[$"ZLAYER_PORT_{EnvName(endpoint.Name)}"] = port.ToString(CultureInfo.InvariantCulture);
            }
        }

        foreach (var dependency in service.Depends)
        {
            if (services.TryGetValue(dependency.Service, out var address))
            {
                env[$"{EnvName(dependency.Service)}_HOST"] = address.Host;
                if (address.FirstPort is { } port)
                {
                    env[$"{EnvName(dependency.Service)}_PORT"] = port.ToString(CultureInfo.InvariantCulture);
                }
            }
        }

        foreach (var (name, value) in service.Env)
        {
            env[name] = Resolve(service.Name, name, value, services, daemonEnvironment);
        }

        var command = service.Command;
        List<string> argv = [.. command?.Entrypoint ?? [], .. command?.Args ?? []];
        return new ReplicaLaunchSpec(
            assignment.ReplicaId,
            assignment.Deployment,
            assignment.Service,
            assignment.Index,
            argv,
            command?.Workdir,
            env,
            ports,
            service);
    }

    /// <summary>Resolves one env value: $E: left for the daemon (--env-from daemon), ${service.*}, $$.</summary>
    public static string Resolve(string service, string key, string value, IReadOnlyDictionary<string, ServiceAddress> services, Func<string, string?> daemonEnvironment)
    {
        if (!EnvTemplate.TryParse(value, out var tokens, out var error))
        {
            throw new LaunchException($"env {key} of service '{service}': {error}");
        }

        var sb = new StringBuilder();
        foreach (var token in tokens)
        {
            switch (token.Kind)
            {
                case EnvTokenKind.Literal:
                    sb.Append(token.Text);
                    break;
                case EnvTokenKind.EnvVar:
                    sb.Append(daemonEnvironment(token.Text) ?? throw new LaunchException($"env {key} of service '{service}': $E:{token.Text} is not set in the daemon's environment"));
                    break;
                case EnvTokenKind.ServiceRef:
                    if (!services.TryGetValue(token.Service!, out var address))
                    {
                        throw new LaunchException($"env {key} of service '{service}': {token.Text} cannot be resolved yet: service '{token.Service}' has no running replica");
                    }

                    sb.Append(token.Property switch
                    {
                        "host" => address.Host,
                        "port" => address.FirstPort?.ToString(CultureInfo.InvariantCulture) ?? throw new LaunchException($"env {key}: service '{token.Service}' has no endpoint port"),
                        _ => address.Ports.TryGetValue(token.Endpoint!, out var p)
                            ? $"{address.Host}:{p.ToString(CultureInfo.InvariantCulture)}"
                            : throw new LaunchException($"env {key}: service '{token.Service}' has no endpoint '{token.Endpoint}'"),
                    });
                    break;
                case EnvTokenKind.Secret:
                    throw new LaunchException($"env {key} of service '{service}': secret references ({token.Text}) need the secret store, which this node does not have yet");
            }
        }

        return sb.ToString();
    }

    /// <summary>An environment-variable-safe form of a name: upper case, anything else than letters and digits becomes '_'.</summary>
    public static string EnvName(string name)
    {
        var chars = name.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        return new string(chars);
    }
}

/// <summary>A replica cannot be launched as specified (unresolvable reference, unsupported feature); the message is for users.</summary>
public sealed class LaunchException(string message) : Exception(message);
