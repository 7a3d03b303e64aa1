using ZLayer.Runtime.Runc.Bundle;
using ZLayer.Spec.Model;
using ZLayer.Spec.Values;

namespace ZLayer.Runtime.Tests.Runc;

public sealed class CgroupResourcesTests
{
    [Theory]
    [InlineData(0.5, 50_000)]
    [InlineData(1.0, 100_000)]
    [InlineData(2.25, 225_000)]
    [InlineData(0.01, 1_000)]
    [InlineData(0.333333, 33_333)]
    public void Cpu_cores_become_a_quota_per_100ms_period(double cores, long quota)
    {
        var json = CgroupResources.Build("web", new ResourcesSpec { Cpu = cores });

        Assert.Equal(quota, (long)json["cpu"]!["quota"]!);
        Assert.Equal(100_000, (long)json["cpu"]!["period"]!);
    }

    [Fact]
    public void Memory_swap_reservation_swappiness_pids_shares_cpuset_and_blkio()
    {
        var json = CgroupResources.Build("web", new ResourcesSpec
        {
            Memory = Size("512Mi"),
            MemorySwap = "1Gi",
            MemoryReservation = "256M",
            MemorySwappiness = 10,
            OomKillDisable = true,
            PidsLimit = 100,
            CpuShares = 512,
            Cpuset = "0-1,3",
            BlkioWeight = 300,
        });

        Assert.Equal(
            """{"cpu":{"shares":512,"cpus":"0-1,3"},"memory":{"limit":536870912,"swap":1073741824,"reservation":256000000,"swappiness":10,"disableOOMKiller":true},"pids":{"limit":100},"blockIO":{"weight":300}}""",
            json.ToJsonString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Pids_zero_or_minus_one_mean_unlimited(long pids)
    {
        Assert.Null(CgroupResources.Build("web", new ResourcesSpec { PidsLimit = pids })["pids"]);
    }

    [Fact]
    public void Unlimited_swap_is_minus_one()
    {
        Assert.Equal(-1, (long)CgroupResources.Build("web", new ResourcesSpec { Memory = Size("1Gi"), MemorySwap = "-1" })["memory"]!["swap"]!);
    }

    [Fact]
    public void Nothing_set_gives_an_empty_object()
    {
        Assert.Equal("{}", CgroupResources.Build("web", null).ToJsonString());
        Assert.Equal("{}", CgroupResources.Build("web", new ResourcesSpec()).ToJsonString());
    }

    [Theory]
    [InlineData("cpu", "service 'web': resources.cpu 0.001 is below the kernel's smallest quota, 0.01 cores")]
    [InlineData("swap-without-memory", "service 'web': resources.memory_swap needs resources.memory: it is the limit of memory and swap together")]
    [InlineData("swap-below-memory", "service 'web': resources.memory_swap '100Mi' is below resources.memory '1Gi': it is the limit of memory and swap together")]
    [InlineData("swap-text", "service 'web': resources.memory_swap 'lots' is not a size (e.g. 1Gi, 512M, 1073741824) or -1")]
    [InlineData("reservation-above", "service 'web': resources.memory_reservation '2Gi' is above resources.memory '1Gi'")]
    [InlineData("swappiness", "service 'web': resources.memory_swappiness 101 is outside 0..100")]
    [InlineData("pids", "service 'web': resources.pids_limit -5 must be positive (0 or -1 for unlimited)")]
    [InlineData("shares", "service 'web': resources.cpu_shares 1 is outside the kernel's range 2..262144")]
    [InlineData("cpuset", "service 'web': resources.cpuset '3-1' is not a CPU list such as 0-3 or 0,2,4-7")]
    [InlineData("blkio", "service 'web': resources.blkio_weight 5 is outside 10..1000")]
    public void Bad_values_are_precise_errors(string what, string message)
    {
        var resources = what switch
        {
            "cpu" => new ResourcesSpec { Cpu = 0.001 },
            "swap-without-memory" => new ResourcesSpec { MemorySwap = "1Gi" },
            "swap-below-memory" => new ResourcesSpec { Memory = Size("1Gi"), MemorySwap = "100Mi" },
            "swap-text" => new ResourcesSpec { Memory = Size("1Gi"), MemorySwap = "lots" },
            "reservation-above" => new ResourcesSpec { Memory = Size("1Gi"), MemoryReservation = "2Gi" },
            "swappiness" => new ResourcesSpec { MemorySwappiness = 101 },
            "pids" => new ResourcesSpec { PidsLimit = -5 },
            "shares" => new ResourcesSpec { CpuShares = 1 },
            "cpuset" => new ResourcesSpec { Cpuset = "3-1" },
            "blkio" => new ResourcesSpec { BlkioWeight = 5 },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        Assert.Equal(message, Assert.Throws<RuntimeException>(() => CgroupResources.Build("web", resources)).Message);
    }

    [Fact]
    public void Oom_score_adj_is_checked_against_the_kernel_range()
    {
        Assert.Equal(-500, CgroupResources.OomScoreAdj("web", new ResourcesSpec { OomScoreAdj = -500 }));
        Assert.Null(CgroupResources.OomScoreAdj("web", null));
        Assert.Equal("service 'web': resources.oom_score_adj 1001 is outside -1000..1000",
            Assert.Throws<RuntimeException>(() => CgroupResources.OomScoreAdj("web", new ResourcesSpec { OomScoreAdj = 1001 })).Message);
    }

    [Theory]
    [InlineData("1024", 1024)]
    [InlineData("1Ki", 1024)]
    [InlineData("2Mi", 2 << 20)]
    [InlineData("1G", 1_000_000_000)]
    [InlineData(" 3K ", 3000)]
    public void Sizes_take_bytes_binary_and_decimal_suffixes(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("1.5G")]
    [InlineData("1g")]
    [InlineData("Mi")]
    [InlineData("-3")]
    [InlineData("99999999999999999999")]
    public void Other_sizes_are_not_sizes(string text)
    {
        Assert.False(ByteSize.TryParse(text, out _));
    }

    private static MemorySize Size(string text) => MemorySize.TryParse(text, out var size, out var error) ? size : throw new ArgumentException(error);
}
