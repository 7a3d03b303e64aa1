using ZLayer.Spec.Compose;
using ZLayer.Spec.Diagnostics;

namespace ZLayer.Spec.Tests.Compose;

public sealed class DotEnvParserTests
{
    private static (Dictionary<string, string> Values, DiagnosticBag Diagnostics) Parse(string text, bool raw = false, Dictionary<string, string>? outer = null, bool outerWins = true)
    {
        var diagnostics = new DiagnosticBag();
        var entries = DotEnvParser.Parse(
            text,
            "test.env",
            name => outer is not null && outer.TryGetValue(name, out var v) ? v : null,
            outerWins,
            raw,
            new ComposeReporter(diagnostics),
            maxInterpolationDepth: 8);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            values[entry.Key] = entry.Value;
        }

        return (values, diagnostics);
    }

    [Fact]
    public void Reads_assignments_comments_and_export()
    {
        var (values, diagnostics) = Parse(
            """
            # a comment
            PLAIN=value
              INDENTED = spaced   
            export EXPORTED=yes
            EMPTY=
            INLINE=abc # trailing comment
            HASH=abc#not-a-comment
            """);
        Assert.Empty(diagnostics.Items);
        Assert.Equal("value", values["PLAIN"]);
        Assert.Equal("spaced", values["INDENTED"]);
        Assert.Equal("yes", values["EXPORTED"]);
        Assert.Equal("", values["EMPTY"]);
        Assert.Equal("abc", values["INLINE"]);
        Assert.Equal("abc#not-a-comment", values["HASH"]);
    }

    [Fact]
    public void Quotes_single_literal_double_with_escapes_and_lines()
    {
        var (values, diagnostics) = Parse(
            """
            SINGLE='keep $HOME and \n # as is'
            DOUBLE="tab\there \"quoted\" \$literal"
            MULTI="first
            second"
            AFTER=1
            """,
            outer: new() { ["HOME"] = "/root" });
        Assert.Empty(diagnostics.Items);
        Assert.Equal("keep $HOME and \\n # as is", values["SINGLE"]);
        Assert.Equal("tab\there \"quoted\" $literal", values["DOUBLE"]);
        Assert.Equal("first\nsecond", values["MULTI"]);
        Assert.Equal("1", values["AFTER"]);
    }

    [Fact]
    public void Values_interpolate_earlier_lines_and_the_outer_environment()
    {
        var (values, _) = Parse(
            """
            HOST=db
            URL=postgres://${HOST}:${PORT:-5432}/app
            FROM_OUTER=$USER
            """,
            outer: new() { ["USER"] = "alice" });
        Assert.Equal("postgres://db:5432/app", values["URL"]);
        Assert.Equal("alice", values["FROM_OUTER"]);
    }

    [Fact]
    public void Which_side_wins_follows_the_files_role()
    {
        const string text = "A=file\nB=${A}\n";
        Assert.Equal("outer", Parse(text, outer: new() { ["A"] = "outer" }, outerWins: true).Values["B"]);
        Assert.Equal("file", Parse(text, outer: new() { ["A"] = "outer" }, outerWins: false).Values["B"]);
    }

    [Fact]
    public void A_bare_name_takes_the_outer_value_or_is_left_out()
    {
        var (values, _) = Parse("INHERITED\nMISSING\n", outer: new() { ["INHERITED"] = "yes" });
        Assert.Equal("yes", values["INHERITED"]);
        Assert.False(values.ContainsKey("MISSING"));
    }

    [Fact]
    public void Raw_format_takes_values_verbatim()
    {
        var (values, _) = Parse("A=\"quoted\" ${NOT_EXPANDED} # kept\n", raw: true);
        Assert.Equal("\"quoted\" ${NOT_EXPANDED} # kept", values["A"]);
    }

    [Fact]
    public void Problems_have_line_and_column()
    {
        var (_, diagnostics) = Parse("OK=1\n  bad key=2\nQ=\"never closed\n");
        var badKey = Assert.Single(diagnostics.Items, d => d.Message.Contains("invalid variable name", StringComparison.Ordinal));
        Assert.Equal(new SourceLocation("test.env", 2, 3), badKey.Location);
        var unclosed = Assert.Single(diagnostics.Items, d => d.Message.Contains("never closed", StringComparison.Ordinal));
        Assert.Equal(new SourceLocation("test.env", 3, 3), unclosed.Location);
    }

    [Fact]
    public void A_required_variable_in_a_value_is_an_error_at_the_value()
    {
        var (_, diagnostics) = Parse("A=1\nB=${NEEDED:?no}\n");
        var error = Assert.Single(diagnostics.Items);
        Assert.True(error.IsError);
        Assert.Equal(new SourceLocation("test.env", 2, 3), error.Location);
    }
}
