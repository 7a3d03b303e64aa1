using ZLayer.Spec.Diagnostics;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests;

public sealed class DiagnosticBagTests
{
    [Fact]
    public void Diagnostics_sort_by_position_then_order_of_report()
    {
        var bag = new DiagnosticBag();
        bag.Warning("w", "third", new SourceLocation("a", 2, 1));
        bag.Error("e", "first", new SourceLocation("a", 1, 5));
        bag.Error("e", "second", new SourceLocation("a", 2, 1));
        bag.Error("e", "zeroth", new SourceLocation("", 9, 9));
        Assert.Equal(["zeroth", "first", "third", "second"], bag.Sorted().Select(d => d.Message));
        Assert.Equal((3, 1), (bag.ErrorCount, bag.WarningCount));
    }

    [Fact]
    public void Past_the_limit_one_note_stands_for_the_rest()
    {
        var bag = new DiagnosticBag();
        for (var i = 0; i < DiagnosticBag.MaxItems + 500; i++)
        {
            bag.Error("e", $"error {i}", new SourceLocation("f", i + 1, 1));
        }

        Assert.Equal(DiagnosticBag.MaxItems + 1, bag.Items.Count);
        var note = bag.Items[^1];
        Assert.Equal(("too-many", "more than 1000 problems; the rest are not shown", 1001), (note.Code, note.Message, note.Location.Line));
        Assert.True(note.IsError);
    }

    [Fact]
    public void A_dropped_error_after_dropped_warnings_still_fails_the_load()
    {
        var bag = new DiagnosticBag();
        for (var i = 0; i < DiagnosticBag.MaxItems + 10; i++)
        {
            bag.Warning("w", "w", new SourceLocation("f", 1, 1));
        }

        Assert.False(bag.HasErrors);
        bag.Error("e", "late", new SourceLocation("f", 2, 1));
        Assert.True(bag.HasErrors);
        Assert.Equal(DiagnosticBag.MaxItems + 2, bag.Items.Count);
    }

    [Fact]
    public void A_file_with_more_problems_than_the_limit_fails_with_the_first_ones()
    {
        var body = string.Join("\n", Enumerable.Range(0, 1500).Select(i => $"unknown{i}: 1"));
        var result = Load(OneService(body));
        Assert.False(result.Succeeded);
        Assert.Equal(DiagnosticBag.MaxItems + 1, result.Diagnostics.Count);
        Assert.Equal("unknown key 'unknown0' in 'services.web'", result.Diagnostics[0].Message);
        Assert.Contains(result.Diagnostics, d => d.Code == "too-many");
    }

    [Fact]
    public void A_file_with_only_too_many_warnings_still_loads()
    {
        var body = "logs:\n" + string.Join("\n", Enumerable.Range(0, 1500).Select(i => $"  extra{i}: 1"));
        var result = Load(OneService(body));
        AssertValid(result);
        Assert.Equal(DiagnosticBag.MaxItems + 1, result.Diagnostics.Count);
        Assert.False(result.Diagnostics.Single(d => d.Code == "too-many").IsError);
    }
}
