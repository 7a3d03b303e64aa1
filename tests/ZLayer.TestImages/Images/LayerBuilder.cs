using System.Formats.Tar;
using System.Text;

namespace ZLayer.TestImages.Images;

/// <summary>
/// Describes one layer's files in order and writes them as a POSIX (PAX) tar with fixed times and
/// owners, so the same calls always give the same bytes. Parent directories are added on first
/// use unless turned off, as tools that build images do.
/// </summary>
public sealed class LayerBuilder
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public const UnixFileMode ExecutableMode = FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public const UnixFileMode DirectoryMode = ExecutableMode;

    public const UnixFileMode SymlinkMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public const string WhiteoutPrefix = ".wh.";

    public const string OpaqueMarker = ".wh..wh..opq";

    public const string BusyboxSource = "/bin/busybox";

    /// <summary>Applets <c>Busybox</c> links when none are named: enough for shells, probes and a web server.</summary>
    public static readonly IReadOnlyList<string> DefaultApplets =
        ["sh", "echo", "cat", "ls", "httpd", "sleep", "true", "false", "env", "id", "mkdir", "rm", "touch", "test", "wget", "nc", "ps", "kill", "hostname", "printenv"];

    /// <summary>The time every entry carries, so layers do not change with the clock.</summary>
    public static readonly DateTimeOffset ModificationTime = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<LayerEntry> _entries = [];
    private readonly Dictionary<string, LayerEntry> _directories = new(StringComparer.Ordinal);
    private readonly bool _addParentDirectories;

    public LayerBuilder(bool addParentDirectories = true)
    {
        _addParentDirectories = addParentDirectories;
    }

    /// <summary>Overrides the image's compression for this layer.</summary>
    public LayerCompression? Compression { get; set; }

    /// <summary>The history entry's created_by for this layer.</summary>
    public string? Comment { get; set; }

    public LayerBuilder File(string path, string content, UnixFileMode mode = FileMode, int uid = 0, int gid = 0) =>
        File(path, Encoding.UTF8.GetBytes(content), mode, uid, gid);

    public LayerBuilder File(string path, byte[] content, UnixFileMode mode = FileMode, int uid = 0, int gid = 0)
    {
        var entry = Add(TarEntryType.RegularFile, path, mode, uid, gid);
        entry.Content = content;
        return this;
    }

    /// <summary>Adds a directory, or gives one already implied by an earlier path these attributes.</summary>
    public LayerBuilder Directory(string path, UnixFileMode mode = DirectoryMode, int uid = 0, int gid = 0)
    {
        var name = Normalize(path) + "/";
        if (_directories.TryGetValue(name, out var existing))
        {
            existing.Mode = mode;
            existing.Uid = uid;
            existing.Gid = gid;
            return this;
        }

        _directories[name] = Add(TarEntryType.Directory, name, mode, uid, gid);
        return this;
    }

    public LayerBuilder Symlink(string path, string target, int uid = 0, int gid = 0)
    {
        Add(TarEntryType.SymbolicLink, path, SymlinkMode, uid, gid).LinkTarget = target;
        return this;
    }

    /// <summary>A hard link to <paramref name="target"/>, a path in the image (written without a leading slash, as tar does).</summary>
    public LayerBuilder HardLink(string path, string target, UnixFileMode mode = FileMode, int uid = 0, int gid = 0)
    {
        Add(TarEntryType.HardLink, path, mode, uid, gid).LinkTarget = Normalize(target);
        return this;
    }

    /// <summary>Deletes <paramref name="path"/> from the layers below: an empty <c>.wh.NAME</c> file next to it.</summary>
    public LayerBuilder Whiteout(string path)
    {
        var name = Normalize(path);
        var slash = name.LastIndexOf('/');
        var marker = slash < 0 ? WhiteoutPrefix + name : name[..(slash + 1)] + WhiteoutPrefix + name[(slash + 1)..];
        return File(marker, [], FileMode);
    }

    /// <summary>Hides everything the layers below hold in <paramref name="path"/> while keeping the directory.</summary>
    public LayerBuilder OpaqueDirectory(string path)
    {
        Directory(path);
        return File(Normalize(path) + "/" + OpaqueMarker, [], FileMode);
    }

    /// <summary>The host's static busybox as /bin/busybox with each applet a symlink to it.</summary>
    public LayerBuilder Busybox(params string[] applets) => Busybox(BusyboxSource, applets);

    public LayerBuilder Busybox(string sourcePath, IReadOnlyCollection<string> applets)
    {
        Directory("bin");
        File("bin/busybox", System.IO.File.ReadAllBytes(sourcePath), ExecutableMode);
        foreach (var applet in applets.Count == 0 ? DefaultApplets : applets)
        {
            Symlink("bin/" + applet, "/bin/busybox");
        }

        return this;
    }

    /// <summary>
    /// <paramref name="totalBytes"/> of seeded incompressible content split over
    /// <paramref name="fileCount"/> files named <c>DIR/file-NNNN</c>.
    /// </summary>
    public LayerBuilder RandomFiles(string directory, long totalBytes, int seed, int fileCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fileCount, 1);
        Directory(directory);
        var each = totalBytes / fileCount;
        for (var i = 0; i < fileCount; i++)
        {
            var length = i == fileCount - 1 ? totalBytes - (each * (fileCount - 1)) : each;
            File($"{Normalize(directory)}/file-{i:D4}", SeededBytes.Create(length, unchecked((seed * 7919) + i)));
        }

        return this;
    }

    /// <summary>A layer of <paramref name="megabytes"/> MiB of incompressible seeded files under /data, for benchmarks.</summary>
    public static LayerBuilder RandomLayer(int megabytes, int seed, int fileCount = 4) =>
        new LayerBuilder().RandomFiles("data", megabytes * 1024L * 1024L, seed, fileCount);

    /// <summary>The layer's tar, end-of-archive blocks included.</summary>
    public byte[] ToTar()
    {
        using var tar = new MemoryStream();
        WriteTar(tar);
        return tar.ToArray();
    }

    /// <summary>Writes the tar to <paramref name="stream"/>, which stays open.</summary>
    public void WriteTar(Stream stream)
    {
        using var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var entry in _entries)
        {
            writer.WriteEntry(ToTarEntry(entry));
        }
    }

    private static PaxTarEntry ToTarEntry(LayerEntry entry)
    {
        // Passing the extended attributes keeps .NET from adding atime and ctime of "now", which
        // would make every build differ.
        var tarEntry = new PaxTarEntry(entry.Type, entry.Name, new Dictionary<string, string>())
        {
            Mode = entry.Mode,
            Uid = entry.Uid,
            Gid = entry.Gid,
            ModificationTime = ModificationTime,
            UserName = "",
            GroupName = "",
        };
        if (entry.LinkTarget is not null)
        {
            tarEntry.LinkName = entry.LinkTarget;
        }

        if (entry.Content is not null)
        {
            tarEntry.DataStream = new MemoryStream(entry.Content, writable: false);
        }

        return tarEntry;
    }

    private LayerEntry Add(TarEntryType type, string path, UnixFileMode mode, int uid, int gid)
    {
        var name = type == TarEntryType.Directory ? path : Normalize(path);
        if (_addParentDirectories)
        {
            AddParents(name.TrimEnd('/'));
        }

        var entry = new LayerEntry(type, name) { Mode = mode, Uid = uid, Gid = gid };
        _entries.Add(entry);
        return entry;
    }

    private void AddParents(string name)
    {
        for (var slash = name.IndexOf('/'); slash > 0; slash = name.IndexOf('/', slash + 1))
        {
            var parent = name[..(slash + 1)];
            if (!_directories.ContainsKey(parent))
            {
                var entry = new LayerEntry(TarEntryType.Directory, parent) { Mode = DirectoryMode };
                _entries.Add(entry);
                _directories[parent] = entry;
            }
        }
    }

    private static string Normalize(string path)
    {
        var name = path;
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        name = name.Trim('/');
        if (name.Length == 0)
        {
            throw new ArgumentException($"'{path}' names no entry", nameof(path));
        }

        return name;
    }
}
