using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ZLayer.Cli.Daemon;

namespace ZLayer.Server.Tests;

/// <summary>`zlayer serve --log-format json`: one JSON object per line, the daemon's own lines and the web host's alike.</summary>
public sealed class DaemonLogTests
{
    [Fact]
    public void A_json_line_has_time_level_category_message_fields_and_the_exception()
    {
        var output = new StringWriter();
        var log = new DaemonLogger(json: true, output);
        InvalidOperationException failure;
        try
        {
            throw new InvalidOperationException("boom");
        }
        catch (InvalidOperationException e)
        {
            failure = e;
        }

        log.Error("scheduler loop failed", failure, ("loop", "scheduler"), ("attempt", 2), ("msg", "a field named like a key"));

        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var record = JsonNode.Parse(line)!.AsObject();
        Assert.True(DateTimeOffset.TryParse(record["time"]!.GetValue<string>(), out _));
        Assert.Equal("error", record["level"]!.GetValue<string>());
        Assert.Equal(DaemonLogger.DaemonCategory, record["category"]!.GetValue<string>());
        Assert.Equal("scheduler loop failed", record["msg"]!.GetValue<string>());
        Assert.Equal("scheduler", record["loop"]!.GetValue<string>());
        Assert.Equal(2, record["attempt"]!.GetValue<int>());
        Assert.Equal("a field named like a key", record["msg_"]!.GetValue<string>());
        Assert.Equal("System.InvalidOperationException", record["exception"]!["type"]!.GetValue<string>());
        Assert.Equal("boom", record["exception"]!["message"]!.GetValue<string>());
        Assert.Contains(nameof(A_json_line_has_time_level_category_message_fields_and_the_exception), record["exception"]!["stack"]!.GetValue<string>());
    }

    [Fact]
    public void Web_host_log_lines_come_through_as_json_with_their_category_and_values()
    {
        var output = new StringWriter();
        using var provider = new DaemonLoggerProvider(new DaemonLogger(json: true, output));
        var logger = provider.CreateLogger("Microsoft.AspNetCore.Server.Kestrel");

        logger.LogWarning(new EventId(17, "BadRequest"), "Connection {ConnectionId} sent a bad request at {Endpoint}", "0HN1", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 80));
        logger.LogDebug("never shown");

        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var record = JsonNode.Parse(line)!.AsObject();
        Assert.Equal("warn", record["level"]!.GetValue<string>());
        Assert.Equal("Microsoft.AspNetCore.Server.Kestrel", record["category"]!.GetValue<string>());
        Assert.Equal("Connection 0HN1 sent a bad request at 127.0.0.1:80", record["msg"]!.GetValue<string>());
        Assert.Equal("0HN1", record["ConnectionId"]!.GetValue<string>());
        Assert.Equal("127.0.0.1:80", record["Endpoint"]!.GetValue<string>());
        Assert.Equal(17, record["event_id"]!.GetValue<int>());
    }
}
