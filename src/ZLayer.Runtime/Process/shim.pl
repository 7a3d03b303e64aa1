# zlayer process shim: the parent of one replica, like conmon for a container.
#
# It outlives the daemon on purpose. It puts the program in its own session, pumps the program's
# stdout and stderr into one timestamped log file (rotating it at the size limit), forwards stop
# signals sent to the shim itself, and records the program's exit status, so that logs, rotation and
# the exit code keep working while the daemon is down. The daemon only reads the files written here.
#
# Usage: perl shim.pl DIR WORKDIR MAX_LOG_BYTES PROGRAM ARGV0 [ARGS...]
# Standard input carries the program's environment, never the command line or the disk (values may be
# secrets): "N\0" then N entries "NAME=VALUE\0".
#
# Files in DIR:
#   log, log.1   records "<RFC 3339 UTC time> <stdout|stderr> <F|P> <text>\n"; F ends a line, P is a
#                piece of a line that continues in the next record of the same stream
#   pid          "<pid> <starttime> <shim pid> <shim starttime> ok|<call> <errno> <message>\n"
#                (starttime: field 22 of /proc/PID/stat, against PID reuse), written once the
#                program has been exec'd or has failed to be
#   exit         "<status>\n", status 128+N for signal N, written when the program has been reaped
#   shim.err     the shim's own diagnostics
# pid and exit are written to a temporary name, fsync'ed and renamed, so readers see all or nothing.
#
# Only modules of perl-base (always installed on Debian) are required; Time::HiRes is optional.
use strict;
use warnings;
use POSIX ();
use IO::Handle ();

my ($dir, $workdir, $max, $program, @argv) = @ARGV;
die "zlayer-shim: usage: shim.pl DIR WORKDIR MAX_LOG_BYTES PROGRAM ARGV0 [ARGS...]\n" unless @argv;
$0 = "zlayer-shim $dir";

open STDERR, '>>', "$dir/shim.err" or die "zlayer-shim: $dir/shim.err: $!\n";
STDERR->autoflush(1);
open STDOUT, '>', '/dev/null' or die "zlayer-shim: /dev/null: $!\n";

# Whole seconds when Time::HiRes is missing (perl-base alone): coarser log times, nothing else lost.
my $clock = eval { require Time::HiRes; \&Time::HiRes::time } || sub { time };

my %env;
{
    binmode STDIN;
    my $raw = do { local $/; <STDIN> } // '';
    my @fields = split /\0/, $raw, -1;
    pop @fields;    # what follows the last NUL (empty when the block is complete)
    my $count = shift @fields;
    die "zlayer-shim: incomplete environment block on standard input\n"
        unless defined $count && $count =~ /\A\d+\z/ && @fields == $count && $raw =~ /\0\z/;
    for my $entry (@fields) {
        my ($name, $value) = split /=/, $entry, 2;
        $env{$name} = $value // '';
    }
    open STDIN, '<', '/dev/null' or die "zlayer-shim: /dev/null: $!\n";
}

# Leave the daemon's session: its terminal's Ctrl-C and hang-up, and its death, are not ours.
POSIX::setsid();

open my $log, '>>', "$dir/log" or die "zlayer-shim: $dir/log: $!\n";
binmode $log;
my $size = -s $log // 0;

# Perl opens these close-on-exec (fd > $^F), so the program keeps only its own stdio, and the
# exec-status pipe reads EOF exactly when exec succeeds.
pipe(my $out_r, my $out_w) or die "zlayer-shim: pipe: $!\n";
pipe(my $err_r, my $err_w) or die "zlayer-shim: pipe: $!\n";
pipe(my $exec_r, my $exec_w) or die "zlayer-shim: pipe: $!\n";

my @forwarded = qw(TERM INT HUP QUIT USR1 USR2);
my ($child, $status);
# The daemon signals the program's process group directly; these handlers are for whoever signals
# the shim itself (an admin, a system shutdown): the program gets the signal and decides.
for my $signal (@forwarded) {
    $SIG{$signal} = sub { kill "-$signal", $child if $child && !defined $status };
}
$SIG{CHLD} = sub { };    # only to interrupt select() when the program exits

$child = fork;
die "zlayer-shim: fork: $!\n" unless defined $child;
if ($child == 0) {
    $SIG{$_} = 'DEFAULT' for @forwarded, 'CHLD';
    POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new());
    # Its own session and process group: stop signals reach it and all its descendants at once.
    POSIX::setsid();
    close $_ for $out_r, $err_r, $exec_r, $log;
    open STDIN, '<', '/dev/null' or fail('open');
    open STDOUT, '>&', $out_w or fail('dup2');
    open STDERR, '>&', $err_w or fail('dup2');
    close $_ for $out_w, $err_w;
    chdir $workdir or fail('chdir');
    %ENV = %env;
    { no warnings 'exec'; exec { $program } @argv; }
    fail('exec');
}

sub fail {
    my ($call) = @_;
    my $errno = $! + 0;
    syswrite $exec_w, "$call $errno $!";
    POSIX::_exit($errno == POSIX::ENOENT() ? 127 : 126);
}

close $_ for $out_w, $err_w, $exec_w;
my $exec_status = do { local $/; <$exec_r> } // '';
close $exec_r;
$exec_status = 'ok' if $exec_status eq '';
$exec_status =~ s/\n/ /g;
write_atomically("$dir/pid", join(' ', $child, start_time($child), $$, start_time($$), $exec_status) . "\n");

my %streams = (stdout => $out_r, stderr => $err_r);
while (%streams) {
    my $wanted = '';
    vec($wanted, fileno $_, 1) = 1 for values %streams;
    my $ready = select(my $got = $wanted, undef, undef, 0.5);
    if ($ready > 0) {
        for my $name (sort keys %streams) {
            my $fh = $streams{$name};
            next unless vec($got, fileno $fh, 1);
            my $n = sysread $fh, my $buf, 65536;
            next if !defined $n && $!{EINTR};
            if (!$n) {
                close $fh;
                delete $streams{$name};
                next;
            }
            pump($name, $buf);
        }
    }
    reap(POSIX::WNOHANG());
}
# The program closed its output but lives on: wait for it.
reap(0);
exit $status;

sub reap {
    my ($flags) = @_;
    return if defined $status;
    my $pid = waitpid $child, $flags;
    return unless $pid == $child;
    my $raw = $?;
    $status = ($raw & 127) ? 128 + ($raw & 127) : $raw >> 8;
    # What the program wrote before it exited belongs in the log before the exit is announced.
    drain();
    write_atomically("$dir/exit", "$status\n");
}

sub drain {
    for my $name (sort keys %streams) {
        my $fh = $streams{$name};
        while (1) {
            my $wanted = '';
            vec($wanted, fileno $fh, 1) = 1;
            last unless select(my $got = $wanted, undef, undef, 0) > 0;
            my $n = sysread $fh, my $buf, 65536;
            if (!$n) {
                last if !defined $n && $!{EINTR};
                close $fh;
                delete $streams{$name};
                last;
            }
            pump($name, $buf);
        }
    }
}

sub pump {
    my ($stream, $buf) = @_;
    my $stamp = timestamp();
    my @lines = split /\n/, $buf, -1;
    my $rest = pop @lines;
    my @records = map {"$stamp $stream F $_\n"} @lines;
    push @records, "$stamp $stream P $rest\n" if $rest ne '';
    my $pending = '';
    for my $record (@records) {
        if ($size + length($pending) > 0 && $size + length($pending) + length($record) > $max) {
            write_log($pending);
            $pending = '';
            rotate();
        }
        $pending .= $record;
    }
    write_log($pending);
}

sub write_log {
    my ($bytes) = @_;
    while (length $bytes) {
        my $n = syswrite $log, $bytes;
        if (!defined $n) {
            next if $!{EINTR};
            # A full disk must not stop the program: drop this output, note it once per burst.
            print STDERR "zlayer-shim: writing $dir/log: $!\n";
            return;
        }
        $size += $n;
        substr($bytes, 0, $n) = '';
    }
}

sub rotate {
    close $log;
    rename "$dir/log", "$dir/log.1" or print STDERR "zlayer-shim: rotating $dir/log: $!\n";
    open $log, '>>', "$dir/log" or die "zlayer-shim: $dir/log: $!\n";
    binmode $log;
    $size = -s $log // 0;
}

sub timestamp {
    my $now = $clock->();
    my $seconds = int $now;
    my $micros = int(($now - $seconds) * 1_000_000);
    return POSIX::strftime('%Y-%m-%dT%H:%M:%S', gmtime $seconds) . sprintf('.%06dZ', $micros);
}

sub start_time {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/stat" or return 0;
    my $stat = <$fh> // '';
    # The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    $stat =~ s/\A.*\) //s;
    return (split / /, $stat)[19] // 0;
}

sub write_atomically {
    my ($path, $text) = @_;
    open my $fh, '>', "$path.tmp" or die "zlayer-shim: $path.tmp: $!\n";
    print $fh $text;
    $fh->flush;
    $fh->sync;
    close $fh;
    rename "$path.tmp", $path or die "zlayer-shim: $path: $!\n";
}
