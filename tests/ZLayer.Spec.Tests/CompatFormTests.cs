using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests;

/// <summary>SPEC.md Part A item 2: each compatibility form loads with a warning, and --strict makes it an error.</summary>
public sealed class CompatFormTests
{
    /// <summary>Loads <paramref name="yaml"/> both ways and returns the lenient result after checking the strict one.</summary>
    private static LoadResult LoadCompat(string yaml, string marker, string messagePart, string? after = null)
    {
        var lenient = Load(yaml);
        AssertValid(lenient);
        var warning = SingleWarning(lenient);
        Assert.Equal("compat", warning.Code);
        Assert.Contains(messagePart, warning.Message);
        AssertAt(warning, yaml, marker, after);

        var strict = Load(yaml, strict: true);
        Assert.False(strict.Succeeded);
        var error = SingleError(strict);
        Assert.Equal("compat", error.Code);
        Assert.Equal(warning.Message + " (--strict)", error.Message);
        Assert.Equal(warning.Location, error.Location);
        Assert.Empty(Warnings(strict));
        return lenient;
    }

    private static ServiceSpec Web(LoadResult result) => result.Spec!.Services["web"];

    [Fact]
    public void Command_as_a_list_keeps_the_image_entrypoint()
    {
        var yaml = OneService("command: [\"redis-server\", \"--appendonly\", \"yes\"]");
        var command = Web(LoadCompat(yaml, "[\"redis-server\"", "'services.web.command' is a list; upstream takes a map")).Command!;
        Assert.True(command.KeepImageEntrypoint);
        Assert.Null(command.Entrypoint);
        Assert.Equal(["redis-server", "--appendonly", "yes"], command.Args);
    }

    [Fact]
    public void Command_as_a_block_list_is_the_same_form()
    {
        var yaml = OneService("command:\n  - sleep\n  - \"10\"");
        var command = Web(LoadCompat(yaml, "- sleep", "is a list")).Command!;
        Assert.Equal(["sleep", "10"], command.Args);
        Assert.True(command.KeepImageEntrypoint);
    }

    [Fact]
    public void Command_as_a_string_is_split_into_words()
    {
        var yaml = OneService("command: \"sh -c 'echo hello world' --flag=\\\"a b\\\"\"");
        var command = Web(LoadCompat(yaml, "\"sh -c", "'services.web.command' is a string; upstream takes a map. Split into words")).Command!;
        Assert.True(command.KeepImageEntrypoint);
        Assert.Equal(["sh", "-c", "echo hello world", "--flag=a b"], command.Args);
    }

    [Fact]
    public void Command_as_a_map_is_upstream_and_replaces_the_entrypoint()
    {
        var result = Load(OneService("command: { args: [serve] }"));
        AssertClean(result);
        Assert.False(Web(result).Command!.KeepImageEntrypoint);
        Assert.Equal(["serve"], Web(result).Command!.Args);
    }

    [Fact]
    public void Command_string_with_an_unterminated_quote_is_an_error()
    {
        var yaml = OneService("command: \"echo 'oops\"");
        var result = Load(yaml);
        var error = SingleError(result);
        Assert.Equal("'services.web.command': unterminated single quote", error.Message);
        AssertAt(error, yaml, "\"echo");
    }

    [Fact]
    public void Command_list_with_a_non_text_item_is_an_error()
    {
        var yaml = OneService("command: [run, [nested]]");
        var error = SingleError(Load(yaml));
        Assert.Equal("'services.web.command[1]' needs a text value, found a list", error.Message);
        AssertAt(error, yaml, "[nested]");
    }

    [Fact]
    public void Exec_check_with_cmd_runs_the_argv_as_a_command_check()
    {
        var yaml = OneService("health:\n  check:\n    type: exec\n    command: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/health\"]");
        var check = Web(LoadCompat(yaml, "exec", "'services.web.health.check.type: exec' is not an upstream check type; read as 'type: command'")).Health!.Check;
        Assert.Equal(HealthCheckType.Command, check.Type);
        Assert.Equal("curl -f http://localhost:8080/health", check.Command);
    }

    [Fact]
    public void Exec_check_with_cmd_shell_runs_the_shell_string()
    {
        var yaml = OneService("health: { check: { type: exec, command: [\"CMD-SHELL\", \"pg_isready -U postgres || exit 1\"] } }");
        var check = Web(LoadCompat(yaml, "exec", "read as 'type: command'")).Health!.Check;
        Assert.Equal(HealthCheckType.Command, check.Type);
        Assert.Equal("pg_isready -U postgres || exit 1", check.Command);
    }

    [Fact]
    public void Exec_check_with_a_plain_list_quotes_words_for_the_shell()
    {
        var yaml = OneService("health: { check: { type: exec, command: [\"sh\", \"-c\", \"test -f /ready\"] } }");
        var check = Web(LoadCompat(yaml, "exec", "read as 'type: command'")).Health!.Check;
        Assert.Equal("sh -c 'test -f /ready'", check.Command);
    }

    [Fact]
    public void Exec_check_with_a_string_command_is_kept()
    {
        var yaml = OneService("health: { check: { type: exec, command: \"true\" } }");
        Assert.Equal("true", Web(LoadCompat(yaml, "exec", "read as 'type: command'")).Health!.Check.Command);
    }

    [Fact]
    public void Exec_check_without_a_command_is_an_error()
    {
        var result = Load(OneService("health: { check: { type: exec } }"));
        Assert.Contains(Errors(result), e => e.Message == "'services.web.health.check' (type: command) needs 'command'");
    }

    [Fact]
    public void Volume_strings_become_bind_and_named_storage()
    {
        var yaml = OneService("volumes:\n  - ./data:/data\n  - /srv/config:/etc/app:ro\n  - pgdata:/var/lib/postgresql/data\n  - ~/cache:/cache:rw");
        var storage = Web(LoadCompat(yaml, "volumes", "'services.web.volumes' is not an upstream key; read as 'storage' entries")).Storage;
        Assert.Equal(4, storage.Count);
        Assert.Equal((StorageType.Bind, "./data", "/data", false), (storage[0].Type, storage[0].Source, storage[0].Target, storage[0].Readonly));
        Assert.Equal((StorageType.Bind, "/srv/config", "/etc/app", true), (storage[1].Type, storage[1].Source, storage[1].Target, storage[1].Readonly));
        Assert.Equal((StorageType.Named, "pgdata", "/var/lib/postgresql/data", false), (storage[2].Type, storage[2].Name, storage[2].Target, storage[2].Readonly));
        Assert.Equal((StorageType.Bind, "~/cache", false), (storage[3].Type, storage[3].Source, storage[3].Readonly));
        Assert.Null(Web(Load(yaml)).Volumes);
    }

    [Fact]
    public void Volume_strings_are_added_after_explicit_storage()
    {
        var result = Load(OneService("storage: [{ type: anonymous, target: /cache }]\nvolumes: [\"data:/data\"]"));
        Assert.Equal(["/cache", "/data"], Web(result).Storage.Select(s => s.Target));
    }

    [Theory]
    [InlineData("a:b:c:d")]
    [InlineData("justone")]
    [InlineData(":/data")]
    [InlineData("data:")]
    [InlineData("data:/data:rx")]
    public void Malformed_volume_strings_are_errors(string volume)
    {
        var yaml = OneService($"volumes: [\"{volume}\"]");
        var result = Load(yaml);
        var error = SingleError(result);
        Assert.Equal($"'services.web.volumes[0]' must be SOURCE:TARGET or SOURCE:TARGET:ro, found '{volume}'", error.Message);
        AssertAt(error, yaml, "volumes");
    }

    [Fact]
    public void Volume_target_must_still_be_absolute()
    {
        var result = Load(OneService("volumes: [\"data:relative\"]"));
        Assert.Equal("storage target 'relative' must be an absolute path inside the replica", SingleError(result).Message);
    }

    [Fact]
    public void Five_field_cron_is_read_as_unix_cron()
    {
        var yaml = OneService("rtype: cron\nschedule: \"30 2 * * *\"");
        var web = Web(LoadCompat(yaml, "\"30 2", "'services.web.schedule' '30 2 * * *' has 5 fields (Unix cron); upstream needs seconds first, e.g. '0 30 2 * * *'"));
        Assert.True(web.Schedule!.IsUnixFiveField);
    }

    [Fact]
    public void Six_and_seven_field_cron_needs_no_warning()
    {
        AssertClean(Load(OneService("rtype: cron\nschedule: \"0 30 2 * * *\"")));
        AssertClean(Load(OneService("rtype: cron\nschedule: \"0 30 2 * * * 2030\"")));
    }

    [Fact]
    public void Init_as_a_bare_list_is_read_as_steps()
    {
        var yaml = OneService("init:\n  - { id: wait, uses: init.wait_tcp, with: { host: db, port: 5432 } }");
        var init = Web(LoadCompat(yaml, "- { id", "'services.web.init' is a bare list of steps; write it under 'steps:'")).Init!;
        Assert.Equal("wait", Assert.Single(init.Steps).Id);
    }

    [Fact]
    public void Init_bare_list_errors_carry_the_steps_path()
    {
        var error = SingleError(Load(OneService("init:\n  - { id: a, use: init.run }")));
        Assert.Equal("services.web.init.steps[0].use", error.Path);
    }

    [Fact]
    public void Env_as_a_list_of_name_value_pairs_is_read_as_a_map()
    {
        var yaml = OneService("env:\n  - { name: A, value: \"1\" }\n  - name: B\n    value: two\n  - { name: C }");
        var env = Web(LoadCompat(yaml, "- { name: A", "'services.web.env' is a list of {name, value}; write it as a map NAME: value")).Env;
        Assert.Equal(["A", "B", "C"], env.Keys);
        Assert.Equal(["1", "two", ""], env.Values);
    }

    [Theory]
    [InlineData("env: [\"A=1\"]", "'services.web.env[0]' needs a map with 'name' and 'value'")]
    [InlineData("env: [{ value: x }]", "'services.web.env[0]' needs a map with 'name' and 'value'")]
    [InlineData("env: [{ name: A, vale: x }]", "unknown key 'vale' in 'services.web.env[0]'; did you mean 'value'?")]
    [InlineData("env: [{ name: A, value: [x] }]", "'services.web.env[0].value' needs a text value, found a list")]
    public void Malformed_env_list_items_are_errors(string body, string message)
    {
        var result = Load(OneService(body));
        Assert.Equal(message, SingleError(result).Message);
    }

    [Theory]
    [InlineData("\"0.5\"", 0.5)]
    [InlineData("'2'", 2.0)]
    public void Quoted_cpu_is_read_as_a_number(string written, double cpu)
    {
        var yaml = OneService($"resources: {{ cpu: {written} }}");
        var web = Web(LoadCompat(yaml, written, $"'services.web.resources.cpu' is written as a quoted string"));
        Assert.Equal(cpu, web.Resources!.Cpu);
    }

    [Fact]
    public void Quoted_non_number_cpu_is_an_error()
    {
        var yaml = OneService("resources: { cpu: \"half\" }");
        var error = SingleError(Load(yaml));
        Assert.Equal("'services.web.resources.cpu' needs a number, found the string \"half\"; write it without quotes", error.Message);
    }

    [Fact]
    public void Quoted_numbers_elsewhere_are_not_a_compat_form()
    {
        var error = SingleError(Load(OneService("scale: { mode: fixed, replicas: \"2\" }")));
        Assert.Equal("type", error.Code);
    }

    [Fact]
    public void Health_url_as_a_path_uses_the_first_http_endpoint()
    {
        var yaml = OneService("endpoints: [{ name: web, protocol: http, port: 80, target_port: 3000 }]\nhealth: { check: { type: http, url: /healthz } }");
        var check = Web(LoadCompat(yaml, "/healthz", "'services.web.health.check.url' is a path; read as http://localhost:<first http endpoint target_port>/healthz")).Health!.Check;
        Assert.Equal("/healthz", check.Url);
    }

    [Fact]
    public void Health_url_as_a_path_without_an_http_endpoint_is_an_error()
    {
        var yaml = OneService("endpoints: [{ name: pg, protocol: tcp, port: 5432 }]\nhealth: { check: { type: http, url: /healthz } }");
        var result = Load(yaml);
        var error = SingleError(result);
        Assert.Equal("url '/healthz' is a path, but the service has no http endpoint to take the port from; write a full URL", error.Message);
        AssertAt(error, yaml, "/healthz");
    }

    [Fact]
    public void External_health_url_as_a_path_is_the_same_compat_form()
    {
        var yaml = Services("web: { image: { name: nginx } }", """
            externals:
              media:
                backends: ["10.0.0.5:8096"]
                endpoints: [{ name: http, protocol: http, port: 8096 }]
                health: { check: { type: http, url: /health } }
            """);
        LoadCompat(yaml, "/health", "'externals.media.health.check.url' is a path");
    }

    [Fact]
    public void Every_compat_form_together_gives_one_warning_each()
    {
        var yaml = Services("""
            web:
              image: { name: nginx }
              command: [nginx, -g, "daemon off;"]
              env: [{ name: A, value: b }]
              resources: { cpu: "1" }
              volumes: ["./html:/usr/share/nginx/html:ro"]
              init: [{ id: w, uses: init.run, with: { command: "true" } }]
              endpoints: [{ name: http, protocol: http, port: 80 }]
              health: { check: { type: http, url: /ready } }
            db:
              image: { name: postgres }
              health: { check: { type: exec, command: [CMD-SHELL, pg_isready] } }
            backup:
              rtype: cron
              schedule: "0 3 * * *"
              image: { name: busybox }
            """);
        var lenient = Load(yaml);
        AssertValid(lenient);
        Assert.Equal(8, lenient.WarningCount);
        Assert.All(lenient.Diagnostics, d => Assert.Equal("compat", d.Code));
        Assert.Equal(8, lenient.Diagnostics.Select(d => d.Location.Line).Distinct().Count());

        var strict = Load(yaml, strict: true);
        Assert.Equal(8, strict.ErrorCount);
        Assert.All(strict.Diagnostics, d => Assert.Equal(Severity.Error, d.Severity));
    }
}
