using ZLayer.Runtime.Runc.Bundle;

namespace ZLayer.Runtime.Tests.Runc;

public sealed class ProcessUserTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public ProcessUserTests()
    {
        Rootfs = Path.Combine(_directory.Path, "rootfs");
        BundleFixtures.WriteAccounts(Rootfs);
    }

    private string Rootfs { get; }

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(null, null, 0u, 0u, "50", "/root")]
    [InlineData("", null, 0u, 0u, "50", "/root")]
    [InlineData("1234", null, 1234u, 1234u, "2000", "/home/app")]
    [InlineData("1234:50", null, 1234u, 50u, "2000", "/home/app")]
    [InlineData("app", null, 1234u, 1234u, "2000", "/home/app")]
    [InlineData("app:staff", null, 1234u, 50u, "2000", "/home/app")]
    [InlineData("app:0", null, 1234u, 0u, "2000", "/home/app")]
    [InlineData("4321", null, 4321u, 0u, "", "/")]
    [InlineData("4321:nogroup", null, 4321u, 65534u, "", "/")]
    [InlineData(null, "nobody", 65534u, 65534u, "", "/nonexistent")]
    [InlineData("app", "nobody", 1234u, 1234u, "2000", "/home/app")]
    public void Resolves_the_user_forms(string? specUser, string? imageUser, uint uid, uint gid, string additional, string home)
    {
        var user = ProcessUser.Resolve("web", specUser, [], BundleFixtures.Image(user: imageUser), Rootfs);

        Assert.Equal(uid, user.Uid);
        Assert.Equal(gid, user.Gid);
        Assert.Equal(additional, string.Join(',', user.AdditionalGids));
        Assert.Equal(home, user.Home);
    }

    [Fact]
    public void Extra_groups_by_name_or_number_join_the_supplementary_groups_once()
    {
        var user = ProcessUser.Resolve("web", "app", ["tty", "777", "extra"], BundleFixtures.Image(), Rootfs);

        Assert.Equal([2000u, 5u, 777u], user.AdditionalGids);
    }

    [Theory]
    [InlineData("ghost", null, "service 'web': user 'ghost': no user 'ghost' in the image's /etc/passwd")]
    [InlineData("app:ghosts", null, "service 'web': user 'app:ghosts': no group 'ghosts' in the image's /etc/group")]
    [InlineData("app:", null, "service 'web': user 'app:' is not uid, uid:gid, name or name:group")]
    [InlineData("a:b:c", null, "service 'web': user 'a:b:c' is not uid, uid:gid, name or name:group")]
    [InlineData("99999999999", null, "service 'web': user '99999999999': uid 99999999999 is out of range")]
    [InlineData(null, "ghost", "service 'web': the image's USER 'ghost': no user 'ghost' in the image's /etc/passwd")]
    public void Unknown_or_malformed_users_are_precise_errors(string? specUser, string? imageUser, string message)
    {
        var error = Assert.Throws<RuntimeException>(() => ProcessUser.Resolve("web", specUser, [], BundleFixtures.Image(user: imageUser), Rootfs));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void An_unknown_extra_group_is_an_error()
    {
        var error = Assert.Throws<RuntimeException>(() => ProcessUser.Resolve("web", null, ["wheel"], BundleFixtures.Image(), Rootfs));

        Assert.Equal("service 'web': extra_groups 'wheel': no group 'wheel' in the image's /etc/group", error.Message);
    }

    [Fact]
    public void A_name_without_any_passwd_says_the_image_has_none()
    {
        var empty = Path.Combine(_directory.Path, "empty");
        Directory.CreateDirectory(empty);

        var error = Assert.Throws<RuntimeException>(() => ProcessUser.Resolve("web", "app", [], BundleFixtures.Image(), empty));

        Assert.Equal("service 'web': user 'app': no user 'app' in the image's /etc/passwd (the image has no /etc/passwd)", error.Message);
        Assert.Equal(1000u, ProcessUser.Resolve("web", "1000:1000", [], BundleFixtures.Image(), empty).Uid);
    }

    [Fact]
    public void An_absolute_passwd_symlink_is_read_inside_the_rootfs_never_from_the_host()
    {
        var outside = Path.Combine(_directory.Path, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "passwd"), "intruder:x:4242:4242::/:/bin/sh\n");
        File.Delete(Path.Combine(Rootfs, "etc/passwd"));
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc/passwd"), Path.Combine(outside, "passwd"));

        var error = Assert.Throws<RuntimeException>(() => ProcessUser.Resolve("web", "intruder", [], BundleFixtures.Image(), Rootfs));

        Assert.Contains("no user 'intruder'", error.Message, StringComparison.Ordinal);
        Assert.Contains("the image has no /etc/passwd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_passwd_symlink_climbing_out_of_the_rootfs_is_refused()
    {
        var outside = Path.Combine(_directory.Path, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "passwd"), "intruder:x:4242:4242::/:/bin/sh\n");
        File.Delete(Path.Combine(Rootfs, "etc/passwd"));
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc/passwd"), "../../outside/passwd");

        var error = Assert.Throws<RuntimeException>(() => ProcessUser.Resolve("web", "intruder", [], BundleFixtures.Image(), Rootfs));

        Assert.Equal("service 'web': cannot read the image's account files: /etc/passwd in the image leads above the root of the image (through '..')", error.Message);
    }

    [Fact]
    public void Symlinks_inside_the_rootfs_are_followed_within_it()
    {
        Directory.CreateDirectory(Path.Combine(Rootfs, "usr/share/base"));
        File.Move(Path.Combine(Rootfs, "etc/passwd"), Path.Combine(Rootfs, "usr/share/base/passwd"));
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc/passwd"), "/usr/share/base/passwd");
        Directory.CreateDirectory(Path.Combine(Rootfs, "lib"));
        File.Move(Path.Combine(Rootfs, "etc/group"), Path.Combine(Rootfs, "lib/group"));
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc/group"), "../usr/../lib/./group");

        var user = ProcessUser.Resolve("web", "app:extra", [], BundleFixtures.Image(), Rootfs);

        Assert.Equal((1234u, 2000u), (user.Uid, user.Gid));
    }

    [Fact]
    public void A_symlinked_directory_pointing_at_a_host_directory_stays_in_the_rootfs()
    {
        var hostEtc = Directory.CreateDirectory(Path.Combine(_directory.Path, "host-etc")).FullName;
        File.WriteAllText(Path.Combine(hostEtc, "passwd"), "intruder:x:4242:4242::/:/bin/sh\n");
        Directory.Delete(Path.Combine(Rootfs, "etc"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc"), hostEtc);

        Assert.Null(RootfsFile.ReadText(Rootfs, "/etc/passwd"));
    }

    [Fact]
    public void A_directory_symlink_to_itself_is_a_loop_not_the_hosts_etc()
    {
        Directory.Delete(Path.Combine(Rootfs, "etc"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc"), "/etc");

        Assert.Contains("too many levels of symbolic links", Assert.Throws<IOException>(() => RootfsFile.ReadText(Rootfs, "/etc/passwd")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_loop_and_a_fifo_are_refused()
    {
        File.Delete(Path.Combine(Rootfs, "etc/passwd"));
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc/passwd"), "passwd2");
        File.CreateSymbolicLink(Path.Combine(Rootfs, "etc/passwd2"), "passwd");
        var fifo = Path.Combine(Rootfs, "etc/group");
        File.Delete(fifo);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        Assert.Contains("too many levels of symbolic links", Assert.Throws<IOException>(() => RootfsFile.ReadText(Rootfs, "/etc/passwd")).Message, StringComparison.Ordinal);
        Assert.Contains("not a regular file", Assert.Throws<IOException>(() => RootfsFile.ReadText(Rootfs, "/etc/group")).Message, StringComparison.Ordinal);
    }
}
