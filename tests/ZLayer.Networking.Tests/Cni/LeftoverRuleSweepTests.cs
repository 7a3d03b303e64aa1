using ZLayer.Networking.Cni;

namespace ZLayer.Networking.Tests.Cni;

public sealed class LeftoverRuleSweepTests
{
    [Fact]
    public void A_rule_as_iptables_prints_it_splits_back_into_its_arguments()
    {
        var rule = LeftoverRuleSweep.Tokenize("-A POSTROUTING -s 10.241.3.2/32 -m comment --comment \"name: \\\"zt1\\\" id: \\\"c1\\\"\" -j CNI-0123abcd");

        Assert.Equal(
            ["-A", "POSTROUTING", "-s", "10.241.3.2/32", "-m", "comment", "--comment", "name: \"zt1\" id: \"c1\"", "-j", "CNI-0123abcd"],
            rule);
    }
}
