using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZLayer.Control.Store.Etcd;

/// <summary>
/// The shapes of etcd v3's JSON gateway (the gRPC messages in JSON: bytes as base64, 64-bit
/// integers as strings, fields at their default value left out).
/// </summary>
internal static class EtcdWire
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public sealed record Header(long Revision);

    public sealed record Kv(byte[]? Key, long CreateRevision, long ModRevision, long Version, byte[]? Value, long Lease);

    public sealed record RangeRequest(byte[] Key, byte[]? RangeEnd = null, long? Limit = null, bool? KeysOnly = null);

    public sealed record RangeResponse(Header? Header, List<Kv>? Kvs);

    public sealed record PutRequest(byte[] Key, byte[] Value, long? Lease);

    public sealed record PutResponse(Header? Header);

    public sealed record DeleteRangeRequest(byte[] Key, byte[]? RangeEnd = null);

    public sealed record DeleteRangeResponse(Header? Header, long Deleted);

    public sealed record Compare(byte[] Key, string Target, string Result, long ModRevision);

    public sealed record RequestOp(PutRequest? RequestPut = null, DeleteRangeRequest? RequestDeleteRange = null);

    public sealed record TxnRequest(List<Compare> Compare, List<RequestOp> Success, List<RequestOp> Failure);

    public sealed record TxnResponse(Header? Header, bool Succeeded);

    public sealed record CompactionRequest(long Revision, bool Physical);

    public sealed record LeaseGrantRequest([property: JsonPropertyName("TTL")] long Ttl);

    public sealed record LeaseGrantResponse(Header? Header, [property: JsonPropertyName("ID")] long Id, [property: JsonPropertyName("TTL")] long Ttl, string? Error);

    public sealed record LeaseIdRequest([property: JsonPropertyName("ID")] long Id);

    public sealed record LeaseKeepAliveResponse([property: JsonPropertyName("ID")] long Id, [property: JsonPropertyName("TTL")] long Ttl);

    public sealed record AuthenticateRequest(string Name, string Password);

    public sealed record AuthenticateResponse(string? Token);

    public sealed record WatchCreate(byte[] Key, byte[]? RangeEnd, long StartRevision);

    public sealed record WatchRequest(WatchCreate CreateRequest);

    public sealed record WatchEventWire(string? Type, Kv? Kv);

    public sealed record WatchResponse(Header? Header, bool Created, bool Canceled, long CompactRevision, string? CancelReason, List<WatchEventWire>? Events);

    /// <summary>One message of a streamed answer (watch, keep-alive): a result or an error.</summary>
    public sealed record StreamMessage<T>(T? Result, ErrorBody? Error);

    /// <summary>A failed call: the gRPC status code and message.</summary>
    public sealed record ErrorBody(string? Error, int Code, string? Message);
}
