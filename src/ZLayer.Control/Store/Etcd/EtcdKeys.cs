using System.Text;

namespace ZLayer.Control.Store.Etcd;

/// <summary>Store keys to etcd keys and back: the namespace in front, UTF-8 bytes, prefix ranges as etcd bounds them.</summary>
internal sealed class EtcdKeys(string ns)
{
    private readonly byte[] _namespace = Encoding.UTF8.GetBytes(ns);

    public byte[] Key(string key) => [.. _namespace, .. Encoding.UTF8.GetBytes(key)];

    /// <summary>The range end of a prefix: the prefix's bytes with the last byte below 0xFF raised by one.</summary>
    public byte[] RangeEnd(string prefix)
    {
        var bytes = Key(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xFF)
            {
                var end = bytes[..(i + 1)];
                end[i]++;
                return end;
            }
        }

        // Only 0xFF bytes (never valid UTF-8 here, and the namespace is not empty): etcd's "to the end".
        return [0];
    }

    public string Strip(byte[]? key)
    {
        key ??= [];
        if (!key.AsSpan().StartsWith(_namespace))
        {
            throw new StoreUnavailableException($"etcd returned key '{Encoding.UTF8.GetString(key)}' outside the namespace '{Encoding.UTF8.GetString(_namespace)}'");
        }

        return Encoding.UTF8.GetString(key, _namespace.Length, key.Length - _namespace.Length);
    }

    public KeyValue ToKeyValue(EtcdWire.Kv kv) =>
        new(Strip(kv.Key), kv.Value ?? [], kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);
}
