using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace ZLayer.Runtime.Runc.Bundle;

/// <summary>One seccomp argument comparison; for SCMP_CMP_MASKED_EQ, <paramref name="Value"/> is the mask and <paramref name="ValueTwo"/> the expected result.</summary>
public sealed record SeccompArg(uint Index, ulong Value, ulong ValueTwo, string Op);

/// <summary>System calls that fail with <paramref name="Errno"/> (when <paramref name="Args"/> match), unless the process holds one of <paramref name="LiftedBy"/>.</summary>
public sealed record SeccompRule(IReadOnlyList<string> Names, int Errno, IReadOnlyList<string> LiftedBy, IReadOnlyList<SeccompArg> Args);

/// <summary>
/// The default seccomp profile: everything is allowed except what lets a container reach the
/// kernel or the node beyond its namespaces (modules, kexec, reboot, mounts, new namespaces, the
/// clock, keyrings, other processes' memory, BPF, NUMA policy...). That has the effect of Docker's
/// allow-list profile for these calls while staying readable: each rule says which capability
/// lifts it, as Docker's profile does, so <c>cap_add: [SYS_ADMIN]</c> can mount, and
/// <c>cap_add: [SYS_PTRACE]</c> can trace.
/// </summary>
/// <remarks>
/// clone3 fails with ENOSYS rather than EPERM: its flags live in memory seccomp cannot read, and
/// ENOSYS makes glibc fall back to clone, whose flags are checked. Names a kernel or libseccomp
/// does not know for an architecture are skipped by runc, so one list serves every architecture.
/// </remarks>
public static class SeccompProfile
{
    public const int EPERM = 1;
    public const int ENOSYS = 38;

    /// <summary>The namespace flags of clone(2) (CLONE_NEWTIME is clone3/unshare only: in clone it is part of the exit signal byte).</summary>
    public static readonly IReadOnlyList<ulong> CloneNamespaceFlags =
    [
        0x00020000, // CLONE_NEWNS
        0x02000000, // CLONE_NEWCGROUP
        0x04000000, // CLONE_NEWUTS
        0x08000000, // CLONE_NEWIPC
        0x10000000, // CLONE_NEWUSER
        0x20000000, // CLONE_NEWPID
        0x40000000, // CLONE_NEWNET
    ];

    /// <summary>personality(2) values a program may set: the default Linux persona, PER_LINUX32, UNAME26 and both, and 0xffffffff, which only queries.</summary>
    public static readonly IReadOnlyList<ulong> AllowedPersonalities = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

    private const string SysAdmin = "CAP_SYS_ADMIN";

    public static IReadOnlyList<SeccompRule> Rules { get; } = BuildRules();

    /// <summary>The linux.seccomp object for a process with <paramref name="capabilities"/>, on <paramref name="architecture"/>.</summary>
    public static JsonObject Build(IReadOnlyCollection<string> capabilities, Architecture architecture)
    {
        var architectures = architecture switch
        {
            Architecture.X64 => new[] { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" },
            Architecture.Arm64 => ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
            _ => throw new RuntimeException($"the default seccomp profile has no architecture list for {architecture}; run the service with security_opt: [seccomp=unconfined]"),
        };
        var syscalls = new JsonArray();
        foreach (var rule in Rules.Where(r => !r.LiftedBy.Any(capabilities.Contains)))
        {
            var entry = new JsonObject
            {
                ["names"] = new JsonArray([.. rule.Names.Select(n => (JsonNode?)JsonValue.Create(n))]),
                ["action"] = "SCMP_ACT_ERRNO",
                ["errnoRet"] = rule.Errno,
            };
            if (rule.Args.Count > 0)
            {
                entry["args"] = new JsonArray([.. rule.Args.Select(a => (JsonNode?)new JsonObject
                {
                    ["index"] = a.Index,
                    ["value"] = a.Value,
                    ["valueTwo"] = a.ValueTwo,
                    ["op"] = a.Op,
                })]);
            }

            syscalls.Add(entry);
        }

        return new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["architectures"] = new JsonArray([.. architectures.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["syscalls"] = syscalls,
        };
    }

    private static List<SeccompRule> BuildRules()
    {
        var rules = new List<SeccompRule>
        {
            // Never in a container: replacing the kernel, kernel keyrings (not namespaced), and
            // obsolete or kernel-probing calls with a history of exploits.
            Deny([
                "kexec_load", "kexec_file_load", "add_key", "keyctl", "request_key", "userfaultfd",
                "uselib", "ustat", "sysfs", "_sysctl", "nfsservctl", "vm86", "vm86old", "create_module",
                "get_kernel_syms", "query_module", "afs_syscall",
            ]),
            Deny(["init_module", "finit_module", "delete_module"], "CAP_SYS_MODULE"),
            Deny(["reboot"], "CAP_SYS_BOOT"),
            Deny([
                "mount", "mount_setattr", "umount", "umount2", "pivot_root", "move_mount", "open_tree",
                "fsopen", "fsconfig", "fsmount", "fspick", "setns", "unshare", "quotactl", "quotactl_fd",
                "swapon", "swapoff", "lookup_dcookie", "name_to_handle_at", "fanotify_init",
                "sethostname", "setdomainname",
            ], SysAdmin),
            Deny(["bpf"], SysAdmin, "CAP_BPF"),
            Deny(["perf_event_open"], SysAdmin, "CAP_PERFMON"),
            Deny(["syslog"], SysAdmin, "CAP_SYSLOG"),
            Deny(["open_by_handle_at"], "CAP_DAC_READ_SEARCH"),
            Deny(["settimeofday", "stime", "clock_settime", "clock_settime64"], "CAP_SYS_TIME"),
            Deny(["ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise"], "CAP_SYS_PTRACE"),
            Deny(["acct"], "CAP_SYS_PACCT"),
            Deny(["iopl", "ioperm"], "CAP_SYS_RAWIO"),
            Deny(["mbind", "set_mempolicy", "get_mempolicy", "move_pages", "set_mempolicy_home_node"], "CAP_SYS_NICE"),
            Deny(["vhangup"], "CAP_SYS_TTY_CONFIG"),
            new SeccompRule(["clone3"], ENOSYS, [SysAdmin], []),
        };

        // Rules of one syscall are alternatives (runc adds each as its own filter rule), so each
        // namespace flag is a rule of its own: any one of them set means a new namespace.
        rules.AddRange(CloneNamespaceFlags.Select(flag =>
            new SeccompRule(["clone"], EPERM, [SysAdmin], [new SeccompArg(0, flag, flag, "SCMP_CMP_MASKED_EQ")])));
        rules.AddRange(PersonalityRules());
        return rules;
    }

    /// <summary>
    /// personality(2) with any value outside <see cref="AllowedPersonalities"/> fails. A filter rule
    /// cannot say "not one of these", and two comparisons of one argument become alternatives in
    /// runc, so the complement is covered by single comparisons: anything above 32 bits; then, with
    /// M the bits no allowed persona other than the query has set, either bit 0 (which is in M)
    /// set and some other bit clear (so not the query), or bit 0 clear and another bit of M set.
    /// </summary>
    private static IEnumerable<SeccompRule> PersonalityRules()
    {
        const ulong query = 0xffffffff;
        const ulong variable = 0x20008; // the bits in which the allowed personas differ
        const ulong forbidden = query & ~variable;
        yield return Personality(new SeccompArg(0, query, 0, "SCMP_CMP_GT"));
        for (var bit = 1; bit < 32; bit++)
        {
            var b = 1UL << bit;
            yield return Personality(new SeccompArg(0, 1 | b, 1, "SCMP_CMP_MASKED_EQ"));
            if ((forbidden & b) != 0)
            {
                yield return Personality(new SeccompArg(0, 1 | b, b, "SCMP_CMP_MASKED_EQ"));
            }
        }
    }

    private static SeccompRule Personality(SeccompArg arg) => new(["personality"], EPERM, [], [arg]);

    private static SeccompRule Deny(string[] names, params string[] liftedBy) => new(names, EPERM, liftedBy, []);
}
