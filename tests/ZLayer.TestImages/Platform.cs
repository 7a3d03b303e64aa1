// The fixtures run Linux binaries (docker-registry, htpasswd, busybox) and write Unix modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
