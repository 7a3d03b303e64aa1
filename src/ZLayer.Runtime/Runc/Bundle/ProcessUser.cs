using ZLayer.Images.Manifests;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>The identity a replica's process runs as, with the home directory its passwd entry gives.</summary>
public sealed record ProcessUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home)
{
    /// <summary>
    /// Resolves <c>user</c> (else the image's USER, else root) in the forms <c>uid</c>, <c>uid:gid</c>,
    /// <c>name</c>, <c>name:group</c> (mixed too) against the rootfs's /etc/passwd and /etc/group, read
    /// with <see cref="RootfsFile"/>. Without a group the passwd entry's primary group is used (0 for
    /// a uid the image does not list, as Docker). The groups that list the user as a member and
    /// <c>extra_groups</c> become supplementary groups.
    /// </summary>
    public static ProcessUser Resolve(string service, string? specUser, IReadOnlyList<string> extraGroups, ImageConfig image, string rootfs)
    {
        var text = !string.IsNullOrWhiteSpace(specUser) ? specUser.Trim() : image.User?.Trim();
        var source = !string.IsNullOrWhiteSpace(specUser) ? "user" : "the image's USER";
        if (string.IsNullOrEmpty(text))
        {
            text = "0";
            source = "the default user";
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var userPart = colon < 0 ? text : text[..colon];
        var groupPart = colon < 0 ? null : text[(colon + 1)..];
        if (userPart.Length == 0 || groupPart is { Length: 0 } || (groupPart?.Contains(':') ?? false))
        {
            throw BundleError.For(service, $"{source} '{text}' is not uid, uid:gid, name or name:group");
        }

        var accounts = new Lazy<Accounts>(() => Accounts.Read(service, rootfs));
        PasswdEntry? entry;
        uint uid;
        if (AccountFiles.TryId(userPart, out uid))
        {
            entry = accounts.Value.Passwd.FirstOrDefault(e => e.Uid == uid);
        }
        else if (userPart.All(char.IsAsciiDigit))
        {
            throw BundleError.For(service, $"{source} '{text}': uid {userPart} is out of range");
        }
        else
        {
            entry = accounts.Value.Passwd.FirstOrDefault(e => e.Name == userPart)
                ?? throw BundleError.For(service, $"{source} '{text}': no user '{userPart}' in the image's /etc/passwd{accounts.Value.PasswdNote}");
            uid = entry.Uid;
        }

        var gid = groupPart is null ? entry?.Gid ?? 0 : Group(service, source, text, groupPart, accounts);
        var additional = new List<uint>();
        if (entry is not null)
        {
            additional.AddRange(accounts.Value.Groups.Where(g => g.Members.Contains(entry.Name, StringComparer.Ordinal)).Select(g => g.Gid));
        }

        foreach (var extra in extraGroups)
        {
            additional.Add(Group(service, "extra_groups", extra, extra.Trim(), accounts));
        }

        var home = entry is { Home.Length: > 0 } ? entry.Home : "/";
        return new ProcessUser(uid, gid, [.. additional.Where(g => g != gid).Distinct()], home);
    }

    private static uint Group(string service, string source, string text, string group, Lazy<Accounts> accounts)
    {
        if (AccountFiles.TryId(group, out var gid))
        {
            return gid;
        }

        if (group.Length == 0 || group.All(char.IsAsciiDigit))
        {
            throw BundleError.For(service, $"{source} '{text}': '{group}' is not a valid group id or name");
        }

        return accounts.Value.Groups.FirstOrDefault(g => g.Name == group)?.Gid
            ?? throw BundleError.For(service, $"{source} '{text}': no group '{group}' in the image's /etc/group{accounts.Value.GroupNote}");
    }

    /// <summary>The image's account files, read once and only when a name or a primary group is needed.</summary>
    private sealed record Accounts(IReadOnlyList<PasswdEntry> Passwd, IReadOnlyList<GroupEntry> Groups, string PasswdNote, string GroupNote)
    {
        public static Accounts Read(string service, string rootfs)
        {
            string? passwd;
            string? group;
            try
            {
                passwd = RootfsFile.ReadText(rootfs, "/etc/passwd");
                group = RootfsFile.ReadText(rootfs, "/etc/group");
            }
            catch (IOException e)
            {
                throw BundleError.For(service, $"cannot read the image's account files: {e.Message}");
            }

            return new Accounts(
                passwd is null ? [] : AccountFiles.ParsePasswd(passwd),
                group is null ? [] : AccountFiles.ParseGroup(group),
                passwd is null ? " (the image has no /etc/passwd)" : "",
                group is null ? " (the image has no /etc/group)" : "");
        }
    }
}
