using System.Text.Json.Serialization;

namespace ZLayer.Spec.Model;

// Enum members are written in the spec as their snake_case names unless a
// JsonStringEnumMemberName says otherwise; the binder and the JSON form share that rule.

public enum ResourceType { Service, Job, Cron }

public enum ServiceType { Standard, WasmHttp, WasmPlugin, WasmTransformer, WasmAuthenticator, WasmRateLimiter, WasmMiddleware, WasmRouter, Job }

public enum PullPolicy { Always, Newer, IfNotPresent, Never }

public enum SourcePolicy { LocalFirst, S3First, RemoteOnly, LocalOnly }

public enum EndpointProtocol { Http, Https, Tcp, Udp, Websocket }

public enum ExposeMode { Public, Internal }

/// <summary>Extension: how the node proxy picks a replica for a new request or connection.</summary>
public enum LoadBalancePolicy { RoundRobin, LeastRequests, PowerOfTwoChoices }

/// <summary>Extension: which PROXY protocol header the proxy writes to a stream backend.</summary>
public enum ProxyProtocolVersion { V1, V2 }

public enum ScaleMode { Adaptive, Fixed, Manual }

public enum DependsCondition
{
    Started,
    Healthy,
    Ready,

    /// <summary>Extension (compose's service_completed_successfully): the dependency ran to exit 0.</summary>
    Completed,
}

public enum TimeoutAction { Fail, Warn, Continue }

public enum HealthCheckType { Tcp, Http, Command }

public enum UnhealthyAction { Restart, Isolate, None }

public enum InitFailureAction { Fail, Restart, Backoff }

public enum PanicAction { Restart, Shutdown, Isolate }

public enum RestartKind { No, Always, UnlessStopped, OnFailure }

public enum StorageType { Bind, Named, Anonymous, Tmpfs, S3 }

public enum StorageTier { Local, Cached, Network }

public enum TransportProtocol { Tcp, Udp }

public enum LocalhostReachability { Auto, Always, Never }

public enum NodeMode { Shared, Dedicated, Exclusive }

public enum PlatformOs { Linux, Windows, Macos }

public enum PlatformArch { Amd64, Arm64 }

public enum Isolation { Auto, Process, Hyperv }

public enum OverlayMode { Auto, Shared, Dedicated }

public enum JoinMode { Open, Token, Closed }

public enum JoinScope { Service, Global }

public enum GpuScheduling
{
    [JsonStringEnumMemberName("best-effort")]
    BestEffort,
    Gang,
    Spread,
}

public enum GpuSharing
{
    Exclusive,
    Mps,
    [JsonStringEnumMemberName("time-slice")]
    TimeSlice,
}

public enum StreamHealthCheckType { TcpConnect, UdpProbe }

/// <summary>Extension: which runtime runs a service's replicas.</summary>
public enum RuntimeKind { Auto, Runc, Docker, Process }
