// Images are unpacked with Linux semantics (modes, owners, devices, fsync of directories); the
// tests run where the code does.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
