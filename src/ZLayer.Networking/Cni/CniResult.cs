using System.Net;

namespace ZLayer.Networking.Cni;

/// <summary>The parts of a CNI result (spec 1.0.0) ZLayer reads; the JSON itself is what is passed on and cached.</summary>
internal sealed record CniResult(IReadOnlyList<CniInterface> Interfaces, IReadOnlyList<CniIpConfig> Ips, IReadOnlyList<CniRoute> Routes);

/// <summary>An interface a plugin created; <paramref name="Sandbox"/> is the namespace path for interfaces inside one, null on the host.</summary>
internal sealed record CniInterface(string Name, string? Mac, string? Sandbox);

/// <summary>An address; <paramref name="Interface"/> indexes <see cref="CniResult.Interfaces"/> when the plugin said which interface has it.</summary>
internal sealed record CniIpConfig(IPAddress Address, int PrefixLength, IPAddress? Gateway, int? Interface);

internal sealed record CniRoute(IPAddress Destination, int PrefixLength, IPAddress? Gateway);
