// The benchmarks drive Linux-only parts (the image store, runc, /proc); they run only on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
