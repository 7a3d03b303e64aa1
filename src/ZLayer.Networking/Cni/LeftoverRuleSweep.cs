using System.Text;
using ZLayer.Networking.Host;

namespace ZLayer.Networking.Cni;

/// <summary>
/// Removes the nat rules the plugins made for one container when their DEL could not. Two cases
/// leave rules behind with plugins 1.1.1: bridge finds the container's addresses to un-masquerade
/// by looking inside the network namespace, so a DEL after the namespace is gone leaves its
/// POSTROUTING rule and CNI-… chain; and portmap un-forwards the ports listed in its runtimeConfig,
/// so a DEL without the cached ADD (a crash before the cache was written) leaves its DNAT jump and
/// CNI-DN-… chain. Both plugins tag their entry rule with a comment naming network and container,
/// and that comment is what is matched; nothing is derived from how the plugins name chains.
/// </summary>
internal static class LeftoverRuleSweep
{
    private const string Table = "nat";

    public static async Task RemoveAsync(string network, string containerId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var iptables = HostCommand.Resolve("iptables", "iptables");
        var tag = $"name: \"{network}\" id: \"{containerId}\"";
        // bridge's masquerade jump, and portmap's DNAT jump from its host-wide chain.
        var entries = new Dictionary<string, string> { ["POSTROUTING"] = tag, ["CNI-HOSTPORT-DNAT"] = "dnat " + tag };
        // -w: wait for the xtables lock rather than fail while a plugin holds it.
        var listing = await HostCommand.RunCheckedAsync(iptables, ["-w", "-t", Table, "-S"], timeout, cancellationToken);
        var chains = new List<string>();
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var rule = Tokenize(line);
            if (rule.Count < 2 || rule[0] != "-A" || !entries.TryGetValue(rule[1], out var comment) || CommentOf(rule) != comment)
            {
                continue;
            }
            await HostCommand.RunCheckedAsync(iptables, ["-w", "-t", Table, "-D", .. rule.Skip(1)], timeout, cancellationToken);
            // The per-container chain is the rule's target; only a CNI- chain is the plugins' to remove.
            if (TargetOf(rule) is { } target && target.StartsWith("CNI-", StringComparison.Ordinal) && !chains.Contains(target))
            {
                chains.Add(target);
            }
        }
        // After every jump is gone: portmap jumps to one chain from a rule per protocol, and a referenced chain cannot be deleted.
        foreach (var chain in chains)
        {
            await HostCommand.RunCheckedAsync(iptables, ["-w", "-t", Table, "-F", chain], timeout, cancellationToken);
            await HostCommand.RunCheckedAsync(iptables, ["-w", "-t", Table, "-X", chain], timeout, cancellationToken);
        }
    }

    private static string? CommentOf(List<string> rule)
    {
        var at = rule.IndexOf("--comment");
        return at >= 0 && at + 1 < rule.Count ? rule[at + 1] : null;
    }

    private static string? TargetOf(List<string> rule)
    {
        var at = rule.IndexOf("-j");
        return at >= 0 && at + 1 < rule.Count ? rule[at + 1] : null;
    }

    /// <summary>
    /// Splits a line of <c>iptables -S</c> into the arguments that made the rule: words separated
    /// by spaces, double-quoted words with backslash escapes (as comments are printed).
    /// </summary>
    internal static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < line.Length)
                {
                    current.Append(line[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
                inWord = true;
            }
            else if (c == ' ')
            {
                if (inWord)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (inWord)
        {
            tokens.Add(current.ToString());
        }
        return tokens;
    }
}
