namespace ZLayer.Networking.Cni;

public enum PortProtocol { Tcp, Udp }
