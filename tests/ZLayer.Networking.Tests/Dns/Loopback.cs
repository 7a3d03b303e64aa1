using System.Net;

namespace ZLayer.Networking.Tests.Dns;

/// <summary>A loopback address of 127/8 for one test: servers of parallel runs never share one.</summary>
internal static class Loopback
{
    public static IPAddress Unique() =>
        new([127, (byte)Random.Shared.Next(60, 250), (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(1, 255)]);
}
