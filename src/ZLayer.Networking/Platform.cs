// Network namespaces, veth pairs and iptables exist only on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
