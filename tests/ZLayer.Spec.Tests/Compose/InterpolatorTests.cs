using ZLayer.Spec.Compose;

namespace ZLayer.Spec.Tests.Compose;

/// <summary>The interpolation forms of the Compose Specification, one string at a time.</summary>
public sealed class InterpolatorTests
{
    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal)
    {
        ["SET"] = "value",
        ["EMPTY"] = "",
        ["FOO"] = "foo",
        ["TAG"] = "1.2.3",
    };

    private static (string Result, List<InterpolationIssue> Issues) Run(string text, bool lenient = false)
    {
        var issues = new List<InterpolationIssue>();
        var result = new Interpolator(name => Variables.TryGetValue(name, out var v) ? v : null, maxDepth: 8, lenient).Apply(text, issues);
        return (result, issues);
    }

    [Theory]
    [InlineData("$SET", "value")]
    [InlineData("${SET}", "value")]
    [InlineData("pre-${SET}-post", "pre-value-post")]
    [InlineData("$SET.$FOO", "value.foo")]
    [InlineData("nginx:${TAG}", "nginx:1.2.3")]
    [InlineData("no variables here", "no variables here")]
    public void Substitutes_plain_and_braced_variables(string text, string expected)
    {
        var (result, issues) = Run(text);
        Assert.Equal(expected, result);
        Assert.Empty(issues);
    }

    [Theory]
    // :- takes the default when unset or empty; - only when unset.
    [InlineData("${UNSET:-default}", "default")]
    [InlineData("${EMPTY:-default}", "default")]
    [InlineData("${SET:-default}", "value")]
    [InlineData("${UNSET-default}", "default")]
    [InlineData("${EMPTY-default}", "")]
    [InlineData("${SET-default}", "value")]
    // :+ gives the alternative when set and non-empty; + when set at all.
    [InlineData("${SET:+alt}", "alt")]
    [InlineData("${EMPTY:+alt}", "")]
    [InlineData("${UNSET:+alt}", "")]
    [InlineData("${SET+alt}", "alt")]
    [InlineData("${EMPTY+alt}", "alt")]
    [InlineData("${UNSET+alt}", "")]
    // A set variable passes the ? checks untouched.
    [InlineData("${SET:?must be set}", "value")]
    [InlineData("${EMPTY?must be set}", "")]
    public void Applies_each_operator(string text, string expected)
    {
        var (result, issues) = Run(text);
        Assert.Equal(expected, result);
        Assert.Empty(issues);
    }

    [Theory]
    [InlineData("${UNSET:-${FOO}}", "foo")]
    [InlineData("${UNSET:-${ALSO_UNSET:-deep}}", "deep")]
    [InlineData("${UNSET:-$FOO}", "foo")]
    [InlineData("${UNSET:-a ${FOO} b}", "a foo b")]
    [InlineData("${SET:+[${FOO}]}", "[foo]")]
    [InlineData("${UNSET:-{braces}}", "{braces}")]
    public void Expands_nested_defaults(string text, string expected)
    {
        var (result, issues) = Run(text);
        Assert.Equal(expected, result);
        Assert.Empty(issues);
    }

    [Theory]
    [InlineData("$$", "$")]
    [InlineData("$$SET", "$SET")]
    [InlineData("$${SET}", "${SET}")]
    [InlineData("cost: $$5", "cost: $5")]
    [InlineData("${UNSET:-$$}", "$")]
    public void Doubled_dollar_is_a_literal_dollar(string text, string expected)
    {
        var (result, issues) = Run(text);
        Assert.Equal(expected, result);
        Assert.Empty(issues);
    }

    [Fact]
    public void Unset_variable_without_default_warns_and_is_empty()
    {
        var (result, issues) = Run("x${NOPE}y");
        Assert.Equal("xy", result);
        var issue = Assert.Single(issues);
        Assert.False(issue.IsError);
        Assert.Equal("variable NOPE is not set, using empty string", issue.Message);
    }

    [Theory]
    [InlineData("${UNSET:?set UNSET first}", "required variable UNSET is missing a value: set UNSET first")]
    [InlineData("${EMPTY:?is empty}", "required variable EMPTY is missing a value: is empty")]
    [InlineData("${UNSET?gone}", "required variable UNSET is missing a value: gone")]
    [InlineData("${UNSET:?}", "required variable UNSET is missing a value")]
    [InlineData("${UNSET:?needs $FOO}", "required variable UNSET is missing a value: needs foo")]
    public void Required_variables_fail_with_their_message(string text, string message)
    {
        var (result, issues) = Run(text);
        Assert.Equal("", result);
        var issue = Assert.Single(issues);
        Assert.True(issue.IsError);
        Assert.Equal(message, issue.Message);
    }

    [Fact]
    public void Arguments_are_expanded_only_when_used()
    {
        // The required check inside the default is not reached because SET has a value.
        var (result, issues) = Run("${SET:-${UNSET:?never evaluated}}");
        Assert.Equal("value", result);
        Assert.Empty(issues);
    }

    [Theory]
    [InlineData("price $5")]
    [InlineData("trailing $")]
    [InlineData("${}")]
    [InlineData("${1ABC}")]
    [InlineData("${SET/a/b}")]
    [InlineData("${SET")]
    [InlineData("${SET:x}")]
    public void Malformed_references_are_errors(string text)
    {
        var (_, issues) = Run(text);
        var issue = Assert.Single(issues);
        Assert.True(issue.IsError);
        Assert.Contains("invalid interpolation format", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZLayer_references_get_a_hint_to_escape_them()
    {
        var (_, secret) = Run("$S:db-password");
        Assert.Contains("write $$S:", Assert.Single(secret).Message, StringComparison.Ordinal);
        var (_, service) = Run("${db.host}");
        Assert.Contains("write $${db.host}", Assert.Single(service).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_an_error_not_a_crash()
    {
        var text = string.Concat(Enumerable.Repeat("${UNSET:-", 500)) + "x" + new string('}', 500);
        var (_, issues) = Run(text);
        Assert.Contains(issues, i => i.IsError && i.Message.Contains("nested more than 8", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("pa$$word", "pa$word")]
    [InlineData("pa$5word", "pa$5word")]
    [InlineData("ends with $", "ends with $")]
    [InlineData("${not valid}", "${not valid}")]
    [InlineData("$FOO-${SET}", "foo-value")]
    public void Lenient_mode_keeps_stray_dollars(string text, string expected)
    {
        var (result, issues) = Run(text, lenient: true);
        Assert.Equal(expected, result);
        Assert.Empty(issues);
    }
}
