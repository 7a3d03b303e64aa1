namespace ZLayer.Server.Tests;

/// <summary>Spec texts the tests deploy.</summary>
public static class Specs
{
    public const string Demo = """
        version: v1
        deployment: demo
        services:
          web:
            image: { name: nginx:alpine }
            endpoints:
              - { name: http, protocol: http, port: 80 }
            scale: { mode: fixed, replicas: 2 }
          db:
            image: { name: postgres:16 }
            scale: { mode: fixed, replicas: 1 }
        """;

    /// <summary><see cref="Demo"/> as a second deployment, 'other', its endpoint on another port so the node proxy can serve both.</summary>
    public static readonly string Other = Demo
        .Replace("deployment: demo", "deployment: other", StringComparison.Ordinal)
        .Replace("port: 80 }", "port: 81 }", StringComparison.Ordinal);

    /// <summary><see cref="Demo"/> with web's image changed, so only web differs.</summary>
    public static readonly string DemoWebChanged = Demo.Replace("nginx:alpine", "nginx:1.27", StringComparison.Ordinal);

    /// <summary>Two errors: a bad protocol (line 7) and fixed scale without replicas (line 8).</summary>
    public const string Invalid = """
        version: v1
        deployment: demo
        services:
          web:
            image: { name: nginx:alpine }
            endpoints:
              - { name: http, protocol: htp, port: 80 }
            scale: { mode: fixed }
        """;
}
