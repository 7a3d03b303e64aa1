using System.Text.Json.Nodes;
using ZLayer.Spec.Binding;
using ZLayer.Spec.Values;

namespace ZLayer.Spec.Model;

/// <summary>Steps run on the node before a replica starts.</summary>
public sealed class InitSpec : SpecObject
{
    public List<InitStepSpec> Steps { get; set; } = [];
}

public sealed class InitStepSpec : SpecObject
{
    public const string WaitTcp = "init.wait_tcp";
    public const string WaitHttp = "init.wait_http";
    public const string Run = "init.run";
    public const string S3Pull = "init.s3_pull";
    public const string S3Push = "init.s3_push";

    public static readonly IReadOnlyList<string> KnownActions = [WaitTcp, WaitHttp, Run, S3Pull, S3Push];

    public static readonly Duration DefaultTimeout = Duration.FromSeconds(300);

    [SpecRequired]
    public string Id { get; set; } = "";

    [SpecRequired]
    public string Uses { get; set; } = "";

    public Dictionary<string, JsonNode?> With { get; set; } = [];

    public Duration? Timeout { get; set; }

    [SpecDoc("Retries with backoff before on_failure applies.")]
    public uint? Retry { get; set; }

    public TimeoutAction OnFailure { get; set; } = TimeoutAction.Fail;
}

public sealed class ErrorsSpec : SpecObject
{
    public InitFailurePolicy? OnInitFailure { get; set; }

    public PanicPolicy? OnPanic { get; set; }
}

public sealed class InitFailurePolicy : SpecObject
{
    public InitFailureAction Action { get; set; } = InitFailureAction.Fail;
}

public sealed class PanicPolicy : SpecObject
{
    public PanicAction Action { get; set; } = PanicAction.Restart;
}
