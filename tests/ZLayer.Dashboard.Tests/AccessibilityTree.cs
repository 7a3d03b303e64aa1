using System.Text.Json;
using Microsoft.Playwright;

namespace ZLayer.Dashboard.Tests;

/// <summary>
/// The accessibility tree as Chromium computes it (DevTools protocol), so accessible names are
/// the browser's own, from labels, aria-label and content, not a guess of the test's.
/// </summary>
public static class AccessibilityTree
{
    private static readonly HashSet<string> Controls = new(StringComparer.Ordinal) { "button", "textbox", "combobox", "link", "checkbox", "radio", "searchbox", "spinbutton", "slider" };

    /// <summary>Describes each control in the page that has no accessible name (empty when all have one).</summary>
    public static async Task<List<string>> NamelessControlsAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        var tree = await cdp.SendAsync("Accessibility.getFullAXTree") ?? throw new InvalidOperationException("no accessibility tree");
        var nameless = new List<string>();
        var controls = 0;
        foreach (var node in tree.GetProperty("nodes").EnumerateArray())
        {
            if (node.TryGetProperty("ignored", out var ignored) && ignored.GetBoolean())
            {
                continue;
            }

            var role = Value(node, "role");
            if (role is null || !Controls.Contains(role))
            {
                continue;
            }

            controls++;
            if (string.IsNullOrWhiteSpace(Value(node, "name")))
            {
                nameless.Add($"{role} (backend node {(node.TryGetProperty("backendDOMNodeId", out var id) ? id.GetInt32() : 0)})");
            }
        }

        Assert.True(controls > 0, "the accessibility tree lists no controls at all");
        return nameless;
    }

    private static string? Value(JsonElement node, string property) =>
        node.TryGetProperty(property, out var p) && p.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
