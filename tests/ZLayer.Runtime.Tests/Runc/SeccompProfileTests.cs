using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ZLayer.Runtime.Runc.Bundle;

namespace ZLayer.Runtime.Tests.Runc;

public sealed class SeccompProfileTests
{
    [Fact]
    public void Allows_by_default_and_denies_the_dangerous_calls_with_eperm()
    {
        var profile = SeccompProfile.Build(CapabilitySet.Default.ToList(), Architecture.X64);

        Assert.Equal("SCMP_ACT_ALLOW", (string)profile["defaultAction"]!);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], Strings(profile["architectures"]));
        var unconditional = Denied(profile).Where(d => d.Args is null).ToDictionary(d => d.Name, d => d.Errno);
        foreach (var name in new[]
        {
            "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot", "mount", "umount2",
            "pivot_root", "swapon", "swapoff", "clock_settime", "settimeofday", "keyctl", "add_key", "request_key", "ptrace",
            "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "userfaultfd", "unshare", "setns",
            "open_by_handle_at", "name_to_handle_at", "acct", "quotactl", "iopl", "ioperm", "lookup_dcookie", "nfsservctl",
            "uselib", "ustat", "sysfs", "_sysctl", "vm86", "kcmp", "mbind", "set_mempolicy", "move_pages", "get_mempolicy",
        })
        {
            Assert.True(unconditional.TryGetValue(name, out var errno), $"{name} is not denied");
            Assert.Equal(SeccompProfile.EPERM, errno);
        }

        Assert.Equal(SeccompProfile.ENOSYS, unconditional["clone3"]);
        Assert.DoesNotContain("read", unconditional.Keys);
        Assert.DoesNotContain("clone", unconditional.Keys);
    }

    [Fact]
    public void Clone_is_denied_when_any_namespace_flag_is_set_and_allowed_otherwise()
    {
        var profile = SeccompProfile.Build([], Architecture.Arm64);
        var clone = Denied(profile).Where(d => d.Name == "clone").ToList();

        const ulong threadFlags = 0x003d0f00; // what pthread_create passes: CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
        const ulong forkFlags = 0x01200011; // fork(): CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
        Assert.False(Matches(clone, threadFlags));
        Assert.False(Matches(clone, forkFlags));
        foreach (var flag in SeccompProfile.CloneNamespaceFlags)
        {
            Assert.True(Matches(clone, forkFlags | flag), $"clone with 0x{flag:x} is allowed");
        }

        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], Strings(profile["architectures"]));
    }

    [Fact]
    public void Personality_is_denied_exactly_outside_the_allowed_personas()
    {
        var rules = Denied(SeccompProfile.Build([], Architecture.X64)).Where(d => d.Name == "personality").ToList();
        var samples = new List<ulong> { 0x1, 0x2, 0x4, 0x0040000, 0x0400000, 0x8000000, 0xfffffffe, 0x7fffffff, 0x100000000, 0xffffffffffffffff, 0x20009, 0x28 };
        for (var bit = 0; bit < 64; bit++)
        {
            samples.Add(1UL << bit);
            samples.Add(0xffffffffUL & ~(1UL << bit));
            samples.Add((1UL << bit) | 0x20008);
        }

        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            samples.Add((ulong)random.NextInt64() & (i % 2 == 0 ? 0xffffffffUL : ulong.MaxValue));
        }

        foreach (var allowed in SeccompProfile.AllowedPersonalities)
        {
            Assert.False(Matches(rules, allowed), $"personality 0x{allowed:x} is denied");
        }

        foreach (var value in samples.Where(v => !SeccompProfile.AllowedPersonalities.Contains(v)))
        {
            Assert.True(Matches(rules, value), $"personality 0x{value:x} is allowed");
        }
    }

    [Fact]
    public void Capabilities_lift_the_rules_they_stand_for()
    {
        var admin = Denied(SeccompProfile.Build(["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"], Architecture.X64)).Select(d => d.Name).ToHashSet();

        Assert.DoesNotContain("mount", admin);
        Assert.DoesNotContain("unshare", admin);
        Assert.DoesNotContain("clone", admin);
        Assert.DoesNotContain("clone3", admin);
        Assert.DoesNotContain("ptrace", admin);
        Assert.Contains("kexec_load", admin);
        Assert.Contains("init_module", admin);
        Assert.Contains("reboot", admin);
        Assert.Contains("personality", admin);
    }

    [Fact]
    public void An_architecture_without_a_list_is_a_precise_error()
    {
        var error = Assert.Throws<RuntimeException>(() => SeccompProfile.Build([], Architecture.S390x));

        Assert.Equal("the default seccomp profile has no architecture list for S390x; run the service with security_opt: [seccomp=unconfined]", error.Message);
    }

    private static List<string> Strings(JsonNode? node) => [.. ((JsonArray)node!).Select(n => (string)n!)];

    private static IEnumerable<(string Name, int Errno, JsonArray? Args)> Denied(JsonObject profile) =>
        from rule in (JsonArray)profile["syscalls"]!
        where (string)rule!["action"]! == "SCMP_ACT_ERRNO"
        from name in (JsonArray)rule["names"]!
        select ((string)name!, (int)rule["errnoRet"]!, rule["args"] as JsonArray);

    /// <summary>Whether any rule matches arg0 = <paramref name="value"/>, as libseccomp evaluates single-argument comparisons.</summary>
    private static bool Matches(IEnumerable<(string Name, int Errno, JsonArray? Args)> rules, ulong value) =>
        rules.Any(rule => rule.Args!.All(arg =>
        {
            var a = (ulong)arg!["value"]!;
            var b = (ulong)arg["valueTwo"]!;
            Assert.Equal(0u, (uint)arg["index"]!);
            return (string)arg["op"]! switch
            {
                "SCMP_CMP_MASKED_EQ" => (value & a) == b,
                "SCMP_CMP_GT" => value > a,
                "SCMP_CMP_EQ" => value == a,
                "SCMP_CMP_NE" => value != a,
                var op => throw new InvalidOperationException($"comparison {op} not modelled"),
            };
        }));
}
