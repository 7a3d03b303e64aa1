namespace ZLayer.Proxy.Routing;

/// <summary>What a listen port speaks: HTTP-level routing in clear or over TLS, or a stream relay.</summary>
public enum ListenerKind { Http, Https, Tcp, Udp }
