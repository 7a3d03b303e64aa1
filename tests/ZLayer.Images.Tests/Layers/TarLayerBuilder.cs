using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ZLayer.Images.Content;

namespace ZLayer.Images.Tests.Layers;

/// <summary>Builds layer archives in memory, including hostile ones no real tool would produce.</summary>
internal sealed class TarLayerBuilder
{
    public static readonly DateTimeOffset MTime = new(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public const UnixFileMode FileMode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public const UnixFileMode DirMode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly MemoryStream _tar = new();
    private readonly TarWriter _writer;
    private byte[]? _built;

    public TarLayerBuilder(TarEntryFormat format = TarEntryFormat.Pax)
    {
        Format = format;
        _writer = new TarWriter(_tar, format, leaveOpen: true);
    }

    public TarEntryFormat Format { get; }

    public TarLayerBuilder File(string name, string content, UnixFileMode mode = FileMode644, int uid = 0, int gid = 0) =>
        File(name, Encoding.UTF8.GetBytes(content), mode, uid, gid);

    public TarLayerBuilder File(string name, byte[] content, UnixFileMode mode = FileMode644, int uid = 0, int gid = 0)
    {
        var entry = Entry(TarEntryType.RegularFile, name, mode, uid, gid);
        entry.DataStream = new MemoryStream(content);
        return Add(entry);
    }

    public TarLayerBuilder Directory(string name, UnixFileMode mode = DirMode755, int uid = 0, int gid = 0) =>
        Add(Entry(TarEntryType.Directory, name, mode, uid, gid));

    public TarLayerBuilder Symlink(string name, string target)
    {
        var entry = Entry(TarEntryType.SymbolicLink, name, DirMode755, 0, 0);
        entry.LinkName = target;
        return Add(entry);
    }

    public TarLayerBuilder HardLink(string name, string target)
    {
        var entry = Entry(TarEntryType.HardLink, name, FileMode644, 0, 0);
        entry.LinkName = target;
        return Add(entry);
    }

    public TarLayerBuilder Device(TarEntryType type, string name, int major, int minor)
    {
        var entry = (PosixTarEntry)Entry(type, name, FileMode644, 0, 0);
        entry.DeviceMajor = major;
        entry.DeviceMinor = minor;
        return Add(entry);
    }

    /// <summary>A PAX file entry carrying extended attributes as <c>SCHILY.xattr.NAME</c> records, as GNU tar writes them.</summary>
    public TarLayerBuilder FileWithXattrs(string name, string content, IReadOnlyDictionary<string, string> xattrs)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name, xattrs.ToDictionary(x => "SCHILY.xattr." + x.Key, x => x.Value))
        {
            Mode = FileMode644,
            ModificationTime = MTime,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        };
        return Add(entry);
    }

    public TarLayerBuilder Fifo(string name) => Add(Entry(TarEntryType.Fifo, name, FileMode644, 0, 0));

    /// <summary>The finished tar, end-of-archive blocks included.</summary>
    public byte[] Tar()
    {
        if (_built is null)
        {
            _writer.Dispose();
            _built = _tar.ToArray();
        }

        return _built;
    }

    public byte[] Gzip()
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Tar());
        }

        return compressed.ToArray();
    }

    public Digest DiffId() => Digest.Sha256(Tar());

    private TarLayerBuilder Add(TarEntry entry)
    {
        _writer.WriteEntry(entry);
        return this;
    }

    private TarEntry Entry(TarEntryType type, string name, UnixFileMode mode, int uid, int gid)
    {
        TarEntry entry = Format switch
        {
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            _ => new PaxTarEntry(type, name),
        };
        entry.Mode = mode;
        entry.Uid = uid;
        entry.Gid = gid;
        entry.ModificationTime = MTime;
        return entry;
    }
}
