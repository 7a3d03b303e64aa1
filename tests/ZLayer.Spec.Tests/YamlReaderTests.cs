using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Yaml;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests;

public sealed class YamlReaderTests
{
    private const string File = SpecTestHelpers.File;

    private static (YNode? Root, DiagnosticBag Diagnostics) Read(string yaml, YamlReadLimits? limits = null)
    {
        var diagnostics = new DiagnosticBag();
        var root = YamlTreeReader.Read(yaml, File, diagnostics, limits);
        return (root, diagnostics);
    }

    private static Diagnostic OnlyError(DiagnosticBag diagnostics)
    {
        var errors = diagnostics.Items.Where(d => d.IsError).ToList();
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join("\n", diagnostics.Items));
        return errors[0];
    }

    [Fact]
    public void Nodes_carry_one_based_line_and_column()
    {
        const string yaml = "a: 1\nb:\n  - x\n  - { c: \"d\" }\n";
        var (root, diagnostics) = Read(yaml);
        Assert.Empty(diagnostics.Items);
        var map = Assert.IsType<YMapping>(root);
        Assert.Equal(new SourceLocation(File, 1, 1), map.Location);
        Assert.Equal(new SourceLocation(File, 1, 4), map.Get("a")!.Location);
        Assert.Equal(new SourceLocation(File, 2, 1), map.KeyNode("b")!.Location);
        var list = Assert.IsType<YSequence>(map.Get("b"));
        Assert.Equal(new SourceLocation(File, 3, 5), list.Items[0].Location);
        var inner = Assert.IsType<YMapping>(list.Items[1]);
        Assert.Equal(new SourceLocation(File, 4, 5), inner.Location);
        Assert.Equal(new SourceLocation(File, 4, 10), inner.Get("c")!.Location);
    }

    [Theory]
    [InlineData("a: ~", true)]
    [InlineData("a: null", true)]
    [InlineData("a: Null", true)]
    [InlineData("a:", true)]
    [InlineData("a: \"null\"", false)]
    [InlineData("a: ''", false)]
    [InlineData("a: !!str null", false)]
    [InlineData("a: nil", false)]
    public void Only_plain_untagged_nulls_are_null(string yaml, bool isNull)
    {
        var (root, _) = Read(yaml);
        var value = Assert.IsType<YScalar>(((YMapping)root!).Get("a"));
        Assert.Equal(isNull, value.IsNull);
    }

    [Fact]
    public void Quoting_and_tags_are_kept()
    {
        var (root, _) = Read("a: 80\nb: \"80\"\nc: !!str 80\nd: '80'\n");
        var map = (YMapping)root!;
        Assert.True(((YScalar)map.Get("a")!).IsPlain);
        Assert.False(((YScalar)map.Get("b")!).IsPlain);
        Assert.Equal("tag:yaml.org,2002:str", map.Get("c")!.Tag);
        Assert.False(((YScalar)map.Get("d")!).IsPlain);
    }

    [Fact]
    public void Empty_and_comment_only_texts_have_no_root()
    {
        foreach (var text in new[] { "", "   \n\n", "# only a comment\n" })
        {
            var (root, diagnostics) = Read(text);
            Assert.Null(root);
            Assert.Empty(diagnostics.Items);
        }
    }

    [Fact]
    public void Empty_file_is_one_clear_error_from_the_loader()
    {
        var error = SingleError(Load("# nothing here\n"));
        Assert.Equal("empty", error.Code);
        Assert.Equal("test.zlayer.yaml:1:1", error.Location.ToString());
        Assert.Contains("'version: v1' and 'deployment: NAME'", error.Message);
    }

    [Fact]
    public void A_document_that_is_not_a_map_is_an_error()
    {
        var error = SingleError(Load("- version: v1\n"));
        Assert.Equal("type", error.Code);
        Assert.Equal("a spec is a map of keys (version, deployment, services); found a list", error.Message);
        Assert.Equal("test.zlayer.yaml:1:1", error.Location.ToString());
    }

    [Fact]
    public void Duplicate_keys_are_errors_at_the_second_key()
    {
        const string yaml = "a: 1\nb: 2\na: 3\n";
        var (root, diagnostics) = Read(yaml);
        var error = OnlyError(diagnostics);
        Assert.Equal("duplicate-key", error.Code);
        Assert.Equal("key 'a' appears twice in this map", error.Message);
        Assert.Equal(new SourceLocation(File, 3, 1), error.Location);
        Assert.Equal("1", ((YScalar)((YMapping)root!).Get("a")!).Value);
    }

    [Fact]
    public void Duplicate_service_key_in_a_spec_is_reported_with_its_place()
    {
        var yaml = OneService("image: { name: redis }");
        var error = SingleError(Load(yaml));
        Assert.Equal("key 'image' appears twice in this map", error.Message);
        AssertAt(error, yaml, "image: { name: redis");
    }

    [Fact]
    public void A_second_document_is_an_error()
    {
        var (_, diagnostics) = Read("a: 1\n---\nb: 2\n");
        var error = OnlyError(diagnostics);
        Assert.Equal("multiple-documents", error.Code);
        Assert.Equal(2, error.Location.Line);
        Assert.Contains("exactly one YAML document", error.Message);
    }

    [Fact]
    public void Syntax_errors_have_a_position_and_a_clean_message()
    {
        var (root, diagnostics) = Read("a: [1, 2\nb: 3\n");
        Assert.Null(root);
        var error = OnlyError(diagnostics);
        Assert.Equal("yaml-syntax", error.Code);
        Assert.StartsWith("YAML syntax: ", error.Message);
        Assert.DoesNotContain("(Line:", error.Message);
        Assert.False(error.Message.EndsWith('.'));
        Assert.True(error.Location.Line >= 1 && error.Location.Column >= 1);
    }

    [Fact]
    public void Bad_indentation_in_a_spec_points_at_the_line()
    {
        const string yaml = "version: v1\ndeployment: demo\nservices:\n  web:\n    image: { name: nginx }\n   bad: 1\n";
        var error = SingleError(Load(yaml));
        Assert.Equal("yaml-syntax", error.Code);
        Assert.Equal(6, error.Location.Line);
    }

    [Fact]
    public void Anchors_and_aliases_share_the_node()
    {
        var (root, diagnostics) = Read("a: &x { k: v }\nb: *x\n");
        Assert.Empty(diagnostics.Items);
        var map = (YMapping)root!;
        Assert.Same(map.Get("a"), map.Get("b"));
    }

    [Fact]
    public void An_alias_to_an_unknown_anchor_is_an_error()
    {
        var (_, diagnostics) = Read("a: *nope\n");
        var error = OnlyError(diagnostics);
        Assert.Equal(1, error.Location.Line);
        Assert.Contains("nope", error.Message);
    }

    [Fact]
    public void Merge_keys_fill_in_missing_keys_and_explicit_keys_win()
    {
        var (root, diagnostics) = Read("base: &b { x: 1, y: 2 }\nother: &o { y: 3, z: 4 }\nm:\n  <<: [*b, *o]\n  x: 9\n");
        Assert.Empty(diagnostics.Items);
        var m = (YMapping)((YMapping)root!).Get("m")!;
        Assert.Equal(["x", "y", "z"], m.Entries.Select(e => e.Key.Value));
        Assert.Equal("9", ((YScalar)m.Get("x")!).Value);
        Assert.Equal("2", ((YScalar)m.Get("y")!).Value); // earlier merged map wins
        Assert.Equal("4", ((YScalar)m.Get("z")!).Value);
    }

    [Fact]
    public void A_quoted_merge_key_is_an_ordinary_key()
    {
        var (root, _) = Read("m: { \"<<\": 1 }\n");
        Assert.Equal("<<", ((YMapping)((YMapping)root!).Get("m")!).Entries[0].Key.Value);
    }

    [Theory]
    [InlineData("m:\n  <<: 1\n", "a merge key (<<) takes a map or a list of maps; found a scalar")]
    [InlineData("m:\n  <<: [1]\n", "a merge key (<<) takes maps; found a scalar")]
    public void Merging_a_non_map_is_an_error(string yaml, string message)
    {
        var (_, diagnostics) = Read(yaml);
        var error = OnlyError(diagnostics);
        Assert.Equal("yaml-merge", error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(2, error.Location.Line);
    }

    [Fact]
    public void A_complex_key_is_an_error()
    {
        var (_, diagnostics) = Read("? [a, b]\n: 1\nc: 2\n");
        var error = OnlyError(diagnostics);
        Assert.Equal("yaml-complex-key", error.Code);
        Assert.Equal("a list cannot be used as a key; keys are plain text", error.Message);
    }

    [Fact]
    public void Nesting_beyond_the_depth_limit_is_refused()
    {
        var yaml = "a: " + new string('[', 200) + new string(']', 200);
        var (root, diagnostics) = Read(yaml);
        Assert.Null(root);
        var error = OnlyError(diagnostics);
        Assert.Equal("yaml-limit", error.Code);
        Assert.Equal("nesting deeper than 128 levels", error.Message);
        Assert.Equal(1, error.Location.Line);
    }

    [Fact]
    public void Nesting_at_the_depth_limit_is_read()
    {
        var yaml = new string('[', 128) + new string(']', 128);
        var (root, diagnostics) = Read(yaml);
        Assert.NotNull(root);
        Assert.Empty(diagnostics.Items);
    }

    [Fact]
    public void Aliases_count_towards_the_depth_limit()
    {
        // Each anchor nests the previous one 100 levels deeper: no single written line exceeds the
        // limit, but the tree does (a consumer walking it recursively would run out of stack).
        var lines = new List<string> { "a0: &a0 " + new string('[', 100) + "1" + new string(']', 100) };
        for (var i = 1; i < 5; i++)
        {
            lines.Add($"a{i}: &a{i} " + new string('[', 100) + $"*a{i - 1}" + new string(']', 100));
        }

        var (root, diagnostics) = Read(string.Join("\n", lines));
        Assert.Null(root);
        var error = OnlyError(diagnostics);
        Assert.Equal("yaml-limit", error.Code);
        Assert.Contains("nesting deeper than 128 levels", error.Message);
        Assert.Equal(2, error.Location.Line);
    }

    [Fact]
    public void Aliases_within_the_depth_limit_are_read()
    {
        var (root, diagnostics) = Read("a: &a [[[1]]]\nb: [[[*a]]]\nc: [[*a, *a], *a]\n");
        Assert.NotNull(root);
        Assert.Empty(diagnostics.Items);
    }

    [Fact]
    public void Alias_expansion_beyond_the_node_limit_is_refused()
    {
        var limits = new YamlReadLimits { MaxExpandedNodes = 1_000 };
        var (root, diagnostics) = Read("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n", limits);
        Assert.Null(root);
        var error = OnlyError(diagnostics);
        Assert.Equal("yaml-limit", error.Code);
        Assert.Equal("document expands to more than 1000 nodes (aliases included); refusing to read it", error.Message);
        Assert.Equal(3, error.Location.Line);
    }

    [Fact]
    public void Text_longer_than_the_byte_limit_is_refused_before_parsing()
    {
        var (root, diagnostics) = Read("a: " + new string('x', 200), new YamlReadLimits { MaxBytes = 100 });
        Assert.Null(root);
        var error = OnlyError(diagnostics);
        Assert.Equal("file-too-large", error.Code);
        Assert.Equal("file is 203 bytes, more than the limit of 100", error.Message);
        Assert.Equal(new SourceLocation(File, 1, 1), error.Location);
    }
}
