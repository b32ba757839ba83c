/**
 * The supervisor every public exec runs under when the image has perl (Debian's perl-base is
 * essential, so every Debian-based image has it): a child subreaper (PR_SET_CHILD_SUBREAPER) above
 * the command. An orphan is reparented to the nearest subreaper, so whatever the command starts —
 * double fork, setsid, nohup, `env -i`, `unset POCKETDOCK_EXEC` — stays below the shim, where
 * signal.ts finds it by parent links: a tree the command cannot leave, unlike its environment.
 *
 * - It ignores the signals a tree kill sends (the command's `kill 0` too), so it outlives its tree.
 * - Like an engine exec, it ends when the command ends, leaving background children running —
 *   unless it was told to hold (SIGUSR2, sent by signal.ts before a signal meant to end the exec):
 *   then it ends only once nothing of the tree is left, so the exec's end means all of it is gone.
 * - Given a deadline (KILL_AFTER, whole seconds), it SIGKILLs its whole tree itself when it passes and
 *   holds until the tree is gone: the backstop for when signal.ts cannot act, because a helper exec
 *   needs a new process in the container and a fork bomb has taken every one the pids limit allows.
 *   The sweep reads /proc and calls kill() without forking; when it ended anything the exit code is
 *   137, as when signal.ts's SIGKILL does.
 * - Its exit code is the command's (128+N for signal N). It names itself `pocketdock-shim <exec id>`.
 * Without perl the command runs directly and signal.ts falls back to the environment marker.
 */
import { EXEC_MARKER } from './marker.js';

/** The environment variable giving the shim its deadline, in whole seconds from its start (the command does not inherit it). */
export const KILL_AFTER = 'POCKETDOCK_KILL_AFTER';

/**
 * The shim's /proc/<pid>/cmdline is this, a space and its exec id (signal.ts looks for it). Not its
 * environment: perl makes room for a longer $0 over the environment strings.
 */
export const SHIM_NAME = 'pocketdock-shim';

/** prctl's syscall number by perl's archname prefix; PR_SET_CHILD_SUBREAPER is 36 everywhere. */
const SHIM = `$0 = "${SHIM_NAME} $ENV{${EXEC_MARKER}}";
use Config;
my %prctl = (x86_64 => 157, aarch64 => 167, riscv64 => 167, i386 => 172, i686 => 172, arm => 172, s390x => 172, ppc64 => 171, ppc64le => 171);
my ($arch) = $Config{archname} =~ /^([^-]+)/;
syscall($prctl{$arch}, 36, 1) if $prctl{$arch};
my @quiet = qw(HUP INT QUIT TERM USR1 PIPE ALRM);
my $hold = 0;
$SIG{$_} = 'IGNORE' for @quiet;
$SIG{USR2} = sub { $hold = 1 };
my $swept = 0;
my $deadline = delete $ENV{${KILL_AFTER}};
sub tree {
  my %pp;
  opendir(my $d, '/proc') or return ();
  for my $p (grep /^\\d+$/, readdir $d) {
    open(my $f, '<', "/proc/$p/stat") or next;
    my ($state, $ppid) = (<$f> // '') =~ /.*\\)\\s+(\\S)\\s+(\\d+)/ or next;
    $pp{$p} = $ppid unless $state eq 'Z';
  }
  my %in = ($$ => 1);
  for (my $grown = 1; $grown;) { $grown = 0; for my $p (keys %pp) { next if $in{$p} || !$in{$pp{$p}}; $in{$p} = 1; $grown = 1 } }
  delete $in{$$};
  return keys %in;
}
if ($deadline) {
  my $due = time() + $deadline;
  $SIG{ALRM} = sub {
    return if time() < $due;
    $hold = 1;
    for (1 .. 100) { my @t = tree() or last; $swept += kill 'KILL', @t }
  };
  alarm($deadline);
}
my $pid = fork();
exec { $ARGV[0] } @ARGV or exit 127 unless defined $pid;
if ($pid == 0) { $SIG{$_} = 'DEFAULT' for @quiet, 'USR2'; exec { $ARGV[0] } @ARGV or exit 127 }
my $status = 0;
while ((my $p = waitpid(-1, 0)) > 0) {
  next unless $p == $pid;
  $status = $?;
  last unless $hold;
  $pid = 0;
}
exit($swept ? 137 : $status & 127 ? 128 + ($status & 127) : $status >> 8);`;

/** `argv` under the shim where the image has perl, else as it is. */
export const supervised = (argv: string[]): string[] => [
  'sh',
  '-c',
  'command -v perl >/dev/null 2>&1 && exec perl -e "$0" -- "$@"; exec "$@"',
  SHIM,
  ...argv,
];
