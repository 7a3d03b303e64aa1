using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace ZLayer.Proxy.Hosting;

/// <summary>
/// Lets a clear-text port serve HTTP/1.1 and HTTP/2 by prior knowledge (h2c) side by side.
/// Kestrel only picks HTTP/2 on such a port when ALPN said "h2", so this peeks at the first
/// bytes of a connection and, when they are the HTTP/2 preface, presents the connection as
/// having negotiated h2. The bytes are left in place for Kestrel to read.
/// </summary>
internal static class H2cDetection
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (await StartsWithPrefaceAsync(connection))
        {
            var negotiated = new NegotiatedH2();
            connection.Features.Set<ITlsConnectionFeature>(negotiated);
            connection.Features.Set<ITlsApplicationProtocolFeature>(negotiated);
        }

        await next(connection);
    }

    private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(connection.ConnectionClosed);
            var buffer = result.Buffer;
            var length = (int)Math.Min(buffer.Length, Preface.Length);
            var matches = Matches(buffer.Slice(0, length), length);
            var decided = !matches || length == Preface.Length || result.IsCompleted;
            // Nothing consumed; everything examined so the next read waits for more bytes.
            input.AdvanceTo(buffer.Start, decided ? buffer.Start : buffer.End);
            if (decided)
            {
                return matches && length == Preface.Length;
            }
        }
    }

    private static bool Matches(ReadOnlySequence<byte> head, int length)
    {
        Span<byte> bytes = stackalloc byte[24];
        head.CopyTo(bytes);
        return bytes[..length].SequenceEqual(Preface.AsSpan(0, length));
    }

    private sealed class NegotiatedH2 : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public X509Certificate2? ClientCertificate { get; set; }

        public ReadOnlyMemory<byte> ApplicationProtocol => "h2"u8.ToArray();

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
