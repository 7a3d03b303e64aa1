using ZLayer.Control.Model;
using ZLayer.Runtime;
using ZLayer.Spec.Model;

namespace ZLayer.Control.Agent;

/// <summary>What a supervisor works with: its assignment and spec, the runtime, the store reporter, and its ports.</summary>
public sealed class ReplicaContext(
    ReplicaAssignment assignment,
    DeploymentSpec spec,
    IContainerRuntime runtime,
    ReplicaReporter reporter,
    DependencyGate dependencies,
    PortAllocator portAllocator,
    TimeProvider time,
    IReadOnlyDictionary<string, int>? adoptedPorts)
{
    private Dictionary<string, int>? _ports = adoptedPorts is null ? null : new(adoptedPorts);

    public ReplicaAssignment Assignment { get; } = assignment;

    public DeploymentSpec Spec { get; } = spec;

    public ServiceSpec Service { get; } = spec.Services[assignment.Service];

    public IContainerRuntime Runtime { get; } = runtime;

    public ReplicaReporter Reporter { get; } = reporter;

    public DependencyGate Dependencies { get; } = dependencies;

    public TimeProvider Time { get; } = time;

    /// <summary>
    /// The replica's port per endpoint, kept across its restarts. Host processes share the host's
    /// network, so each replica gets its own free port; the proxy maps endpoint ports to them.
    /// </summary>
    public IReadOnlyDictionary<string, int> Ports()
    {
        if (_ports is null)
        {
            _ports = [];
            foreach (var endpoint in Service.Endpoints)
            {
                _ports[endpoint.Name] = Runtime.Name == "process" ? portAllocator.Allocate() : endpoint.EffectiveTargetPort;
            }
        }

        return _ports;
    }

    public void ReleasePorts()
    {
        if (_ports is not null && Runtime.Name == "process")
        {
            foreach (var port in _ports.Values)
            {
                portAllocator.Release(port);
            }
        }

        _ports = null;
    }
}
