using ZLayer.Spec.Compose;
using ZLayer.Spec.Diagnostics;
using static ZLayer.Spec.Tests.Compose.ComposeTestKit;

namespace ZLayer.Spec.Tests.Compose;

/// <summary>Mangled versions of a realistic file: the loader must answer with diagnostics, never an exception.</summary>
public sealed class RobustnessTests
{
    private const string Seed =
        """
        name: shop
        x-base: &base
          restart: on-failure:3
        services:
          web:
            <<: *base
            image: ghcr.io/acme/web:${TAG:-1}
            command: sh -c "echo $${HOME}"
            environment: [A=1, B]
            ports: ["127.0.0.1:8080-8081:80-81/tcp", {target: 443, published: 8443}]
            volumes: ["./a:/a:ro", data:/data, {type: tmpfs, target: /t, tmpfs: {size: 1m}}]
            depends_on: {db: {condition: service_healthy, required: false}}
            healthcheck: {test: ["CMD", "true"], interval: 1m30s}
            deploy: {replicas: 2, resources: {limits: {cpus: "0.5", memory: 1g}}, placement: {constraints: [node.labels.a==b]}}
            extends: {service: db}
            x-zlayer: {endpoints: [{name: http, protocol: http, port: 80}], scale: {mode: fixed, replicas: 1}}
            x-fizz: {scaling: {min: 1, max: 2}}
          db:
            image: postgres
            secrets: [pw]
            profiles: [db]
        volumes: {data: {}}
        secrets: {pw: {file: ./pw.txt}}
        include: [other.yaml]
        """;

    private const string Alphabet = " \n\t:-[]{}\"'$&*<>!|#,.=/~%@\\0123456789abcXYZ";

    [Fact]
    public void Mutated_files_never_throw()
    {
        var random = new Random(20240611);
        for (var round = 0; round < 400; round++)
        {
            var text = Mutate(Seed, random, random.Next(1, 6));
            var diagnostics = new DiagnosticBag();
            var exception = Record.Exception(() => ComposeLoader.LoadText(text, FileName, VirtualProject, Options(profiles: ["*"]), diagnostics));
            Assert.True(exception is null, $"round {round} threw {exception}\n--- input ---\n{text}");
            Assert.All(diagnostics.Items, d => Assert.Equal(FileName, d.Location.File));
        }
    }

    private static string Mutate(string text, Random random, int edits)
    {
        var chars = text.ToList();
        for (var i = 0; i < edits && chars.Count > 0; i++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                default:
                    chars[at] = Alphabet[random.Next(Alphabet.Length)];
                    break;
            }
        }

        return new string([.. chars]);
    }
}
