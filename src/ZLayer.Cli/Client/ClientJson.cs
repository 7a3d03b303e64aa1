using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ZLayer.Control.Api;
using ZLayer.Control.Model;
using ZLayer.Control.State;
using ZLayer.Server;

namespace ZLayer.Cli.Client;

/// <summary>
/// The API's JSON as the CLI reads and writes it: the store's shape (<see cref="StateJson"/>),
/// with compile-time metadata for the bodies the CLI exchanges. A command runs once per process,
/// so building serializers by reflection and emitted IL would be most of what `zlayer ps` costs.
/// </summary>
public static class ClientJson
{
    public static JsonSerializerOptions Options { get; } = new(StateJson.Options)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ClientJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<ReplicaResource>))]
[JsonSerializable(typeof(List<DeploymentView>))]
[JsonSerializable(typeof(DeploymentView))]
[JsonSerializable(typeof(DeploymentRecord))]
[JsonSerializable(typeof(List<ClusterEvent>))]
[JsonSerializable(typeof(ClusterEvent))]
[JsonSerializable(typeof(List<JobExecution>))]
[JsonSerializable(typeof(JobExecution))]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(DeployResponse))]
[JsonSerializable(typeof(ScaleResponse))]
[JsonSerializable(typeof(RestartResponse))]
[JsonSerializable(typeof(ExecRequest))]
[JsonSerializable(typeof(ExecResponse))]
[JsonSerializable(typeof(ExecSessionStart))]
[JsonSerializable(typeof(LogRecord))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(List<VolumeSummary>))]
[JsonSerializable(typeof(List<ReplicaStats>))]
[JsonSerializable(typeof(ImageDetails))]
[JsonSerializable(typeof(ImageStreamLine))]
[JsonSerializable(typeof(ImagePullRequest))]
[JsonSerializable(typeof(ImagePushRequest))]
[JsonSerializable(typeof(ImageImportRequest))]
[JsonSerializable(typeof(ImagePruneResponse))]
[JsonSerializable(typeof(RegistryLoginRequest))]
[JsonSerializable(typeof(RegistryLoginResponse))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
