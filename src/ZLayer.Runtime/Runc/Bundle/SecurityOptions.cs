namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>
/// <c>security_opt</c>, in Docker's spellings (<c>key=value</c> or the older <c>key:value</c>):
/// <c>seccomp=unconfined</c> drops the seccomp profile, <c>no-new-privileges[:true|false]</c>,
/// <c>systempaths=unconfined</c> leaves /proc and /sys unmasked and writable. <c>apparmor=unconfined</c>
/// and <c>label=disable</c> are accepted as what this runtime does anyway (no AppArmor profile, no
/// SELinux label). Anything else, a custom seccomp profile file included, is refused by name rather
/// than ignored.
/// </summary>
public sealed record SecurityOptions(bool Seccomp, bool? NoNewPrivileges, bool SystemPaths)
{
    public static SecurityOptions Parse(string service, IReadOnlyList<string> options)
    {
        var result = new SecurityOptions(true, null, true);
        foreach (var option in options)
        {
            var separator = option.IndexOfAny(['=', ':']);
            var key = (separator < 0 ? option : option[..separator]).Trim();
            var value = separator < 0 ? null : option[(separator + 1)..].Trim();
            result = (key, value) switch
            {
                ("seccomp", "unconfined") => result with { Seccomp = false },
                ("no-new-privileges", null or "true") => result with { NoNewPrivileges = true },
                ("no-new-privileges", "false") => result with { NoNewPrivileges = false },
                ("systempaths", "unconfined") => result with { SystemPaths = false },
                ("apparmor", "unconfined") or ("label", "disable") => result,
                ("seccomp", _) => throw BundleError.For(service, $"security_opt '{option}': only seccomp=unconfined is supported; the default profile applies otherwise"),
                _ => throw BundleError.For(service, $"security_opt '{option}' is not supported by the runc runtime (supported: seccomp=unconfined, no-new-privileges[:true|false], systempaths=unconfined, apparmor=unconfined, label=disable)"),
            };
        }

        return result;
    }
}
