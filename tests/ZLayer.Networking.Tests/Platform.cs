// Namespaces, bridges and iptables are Linux's; the tests run them for real, as root.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// The tests share the host's iptables nat table and portmap's host-wide chains, and some compare
// the table before and after an operation: one test at a time keeps those comparisons exact.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
