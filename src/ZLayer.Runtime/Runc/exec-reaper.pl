# zlayer exec reaper: the parent of one command run in a container by `zlayer exec`.
#
# runc exec in the foreground relays the command's stdio through pipes or a terminal of its own
# (and runc 1.1's terminal relay stalls now and then). Detached (-d), runc hands its own stdio to
# the command, which then uses the caller's terminal or pipes directly, and returns at once. This
# script makes that work like a foreground run: it becomes a child subreaper, so the command is
# reparented to it when runc returns, waits for it and exits with its status (128+N for signal N),
# as conmon does for exec.
#
# Usage: perl -e SCRIPT PIDFILE RUNC [RUNC ARGS...]  where the runc arguments include
# exec -d --pid-file PIDFILE.
#
# runc gives the command a session of its own, without a controlling terminal: what the terminal
# signals to its foreground (Ctrl-C, Ctrl-\, a resize) reaches this script, which passes it on to
# the command's process group, as do TERM and HUP from the daemon ending the session. The command
# reads its size from the terminal it holds; an interactive shell there runs without job control.
use strict;
use warnings;
use POSIX ();

my $pidfile = shift @ARGV;
my %prctl = (x86_64 => 157, aarch64 => 167);
my $arch = (POSIX::uname())[4];
my $number = $prctl{$arch} // die "zlayer exec: no prctl syscall number for $arch\n";
syscall($number, 36, 1, 0, 0, 0) == 0 or die "zlayer exec: PR_SET_CHILD_SUBREAPER: $!\n";

my $pid;
for my $signal (qw(INT QUIT WINCH TERM HUP)) {
    $SIG{$signal} = sub { kill $signal, -$pid if $pid };
}

my $started = system(@ARGV);
if ($started != 0) {
    unlink $pidfile;
    exit(($started >> 8) || 125);
}

open my $file, '<', $pidfile or die "zlayer exec: $pidfile: $!\n";
$pid = 0 + <$file>;
close $file;
unlink $pidfile;

while ((my $reaped = waitpid(-1, 0)) > 0) {
    next unless $reaped == $pid;
    exit(($? & 127) ? 128 + ($? & 127) : $? >> 8);
}

die "zlayer exec: the command (pid $pid) was not reparented here\n";
