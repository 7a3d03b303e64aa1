using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ZLayer.Dashboard.Tests;

/// <summary>The dashboard as a user sees it: what the tests click and read, by role and label.</summary>
public sealed class DashboardPage(IPage page, string baseUrl)
{
    public static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = (float)DashboardFixture.Converge.TotalMilliseconds };

    public IPage Page { get; } = page;

    public ILocator Deployment(string name) => Page.GetByRole(AriaRole.Article, new() { Name = name, Exact = true });

    public ILocator ServiceRow(string deployment, string service) =>
        Page.Locator($"tr[data-deployment=\"{deployment}\"][data-service=\"{service}\"]");

    public ILocator Desired(string deployment, string service) => ServiceRow(deployment, service).Locator(".desired");

    public ILocator Running(string deployment, string service) => ServiceRow(deployment, service).Locator(".running");

    public ILocator ScaleUp(string service) => Page.GetByRole(AriaRole.Button, new() { Name = $"Scale {service} up", Exact = true });

    public ILocator Restart(string service) => Page.GetByRole(AriaRole.Button, new() { Name = $"Restart {service}", Exact = true });

    public ILocator ReplicaRow(string replica) => Page.Locator($"tr[data-replica=\"{replica}\"]");

    public ILocator LogLines => Page.GetByRole(AriaRole.Log, new() { Name = "Logs" });

    public ILocator Events => Page.Locator("#event-list");

    /// <summary>
    /// The service's replica count once as many run as are desired (the tests share one daemon
    /// and run in any order, so the count is whatever earlier tests left).
    /// </summary>
    public async Task<int> SettledReplicasAsync(string deployment, string service)
    {
        await Expect(Desired(deployment, service)).Not.ToBeEmptyAsync();
        var desired = await Desired(deployment, service).InnerTextAsync();
        await Expect(Running(deployment, service)).ToHaveTextAsync(desired, Patient);
        return int.Parse(desired, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task OpenAsync()
    {
        // /ui, as a user types it: the daemon redirects to /ui/.
        await Page.GotoAsync(baseUrl + "/ui");
        await Expect(Page).ToHaveURLAsync(baseUrl + "/ui/");
    }

    public async Task SignInAsync(string token)
    {
        await Page.GetByLabel("API token").FillAsync(token);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Deployments" })).ToBeVisibleAsync();
    }

    /// <summary>Waits until the event stream is connected, so changes from now on are pushed.</summary>
    public Task LiveAsync() => Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToHaveTextAsync("Live", Patient);
}
