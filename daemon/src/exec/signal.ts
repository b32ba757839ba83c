/**
 * Signalling an exec inside its container. Docker has no exec-kill API and Podman's differs, so a
 * helper exec (plain sh and /proc, on any image) finds the exec's processes and signals them:
 * - everything below the exec's shim (shim.ts): a subreaper, so nothing the command started can
 *   leave that tree, whatever it does to its environment, process group or session;
 * - everything carrying POCKETDOCK_EXEC=<id> in its environment (inherited by all it forks): the
 *   only handle where the image has no perl for the shim, and an extra where it has;
 * - and everything below those.
 * A session command shares its shell's shim with earlier commands, whose background jobs must live
 * on: besides its marker, it takes only what below the shim carries no marker at all (it cleared its
 * environment) and started since the command did.
 * Before a signal meant to end the exec, the shim is told to hold (SIGUSR2) so that it ends only
 * once its whole tree has. For SIGKILL the sweep repeats until nothing is found, so a child forked
 * during the sweep is caught too. The helper prints how many processes it signalled, and whether it
 * found the shim.
 *
 * It runs as the container's user, like the execs it signals — not as root: reading another uid's
 * /proc/<pid>/environ needs CAP_SYS_PTRACE, which the engines' default capability sets leave out.
 */
import { Demuxer, type Engine } from '../engine/index.js';
import { EXEC_MARKER } from './marker.js';
import { SHIM_NAME } from './shim.js';

export { EXEC_MARKER };

/** Signals that end a process by default: before them the shim holds on to its tree. */
const ENDING = new Set([1, 2, 3, 9, 15]);

// $1 signal, $2 this marker (NAME=value), $3 the shim's exec id, $4 ms since a session command
// started (empty: the whole tree below the shim; -: the marker alone), $5 1 to make the shim hold.
// The shim's pattern has a bracket so that grep's own command line does not match it.
// "Since" is reckoned from the helper's own start time, the clock of the others' (in USER_HZ = 100
// ticks; /proc/uptime can disagree with it by a second in a VM), less 2 s for the helper's start.
const SCRIPT = `sig=$1 mark=$2 root=$3 ago=$4 hold=$5 total=0 rounds=0 since=
pids() { for f in "$@"; do f=\${f#/proc/}; printf ' %s' "\${f%/*}"; done; }
if [ -n "$ago" ] && [ "$ago" != - ]; then read -r line </proc/$$/stat; set -- \${line##*) }; since=$(( \${20} - ago / 10 - 200 )); fi
while :; do
  marked=" $(pids $(grep -lzx "$mark" /proc/[0-9]*/environ 2>/dev/null)) "
  shim=$(pids $(grep -lzx "${SHIM_NAME.slice(0, -1)}[${SHIM_NAME.slice(-1)}] $root" /proc/[0-9]*/cmdline 2>/dev/null)) shim=\${shim# }
  others=; [ -n "$ago" ] && others=" $(pids $(grep -lz "^${EXEC_MARKER}=" /proc/[0-9]*/environ 2>/dev/null)) "
  table=
  [ "$ago" = - ] || for d in /proc/[0-9]*; do
    read -r line 2>/dev/null <"$d/stat" || continue
    set -- \${line##*) }
    [ "$1" = Z ] || table="$table\${d#/proc/} $2 \${20}
"
  done
  tree=" $shim " pick="$marked" grown=1
  while [ $grown = 1 ]; do
    grown=0
    while read -r p pp start; do
      [ -n "$p" ] && [ "$p" != "$$" ] && [ "$p" != "$shim" ] || continue
      case "$pick" in *" $p "*) continue;; esac
      case "$pick" in *" $pp "*) pick="$pick$p "; grown=1; continue;; esac
      case "$tree" in *" $p "*) continue;; *" $pp "*) ;; *) continue;; esac
      tree="$tree$p "; grown=1
      if [ -z "$ago" ]; then pick="$pick$p "; continue; fi
      case "$others" in *" $p "*) continue;; esac
      [ "$start" -ge "$since" ] && pick="$pick$p "
    done <<EOF
$table
EOF
  done
  [ -n "$shim" ] && [ "$hold" = 1 ] && kill -USR2 "$shim" 2>/dev/null
  found=0
  for p in $pick; do [ "$p" != "$shim" ] && kill -"$sig" "$p" 2>/dev/null && found=$((found+1)); done
  total=$((total+found)) rounds=$((rounds+1))
  [ "$sig" = 9 ] && [ $found -gt 0 ] && [ $rounds -lt 100 ] || break
done
echo $total \${shim:+shim}`;

export interface SignalTarget {
  /** POCKETDOCK_EXEC of the processes to signal. */
  marker: string;
  /** The exec whose shim they run under; default: `marker`'s. */
  root?: string;
  /** Milliseconds since a session command started: below a shared shim, only what started since. */
  sinceMs?: number;
  /** Only the processes carrying the marker, nothing below them (a session's shell, not its jobs). */
  exact?: boolean;
}

export interface Signalled {
  /** Processes signalled (for SIGKILL: over every round). */
  count: number;
  /** The exec's shim was found: its end will mean that nothing of its tree is left. */
  shim: boolean;
}

/** Signals an exec's processes inside the container. */
export async function signalExec(engine: Engine, containerId: string, target: SignalTarget, signal: number): Promise<Signalled> {
  const root = target.root ?? target.marker;
  const { stream } = await engine.exec(containerId, {
    cmd: [
      'sh',
      '-c',
      SCRIPT,
      'pocketdock-kill',
      String(signal),
      `${EXEC_MARKER}=${target.marker}`,
      root,
      target.exact ? '-' : target.sinceMs === undefined ? '' : String(Math.round(target.sinceMs)),
      ENDING.has(signal) && !target.exact && target.sinceMs === undefined ? '1' : '0',
    ],
  });
  let out = '';
  const demux = new Demuxer((s, data) => {
    if (s === 'stdout') out += data.toString();
  });
  await new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  demux.end();
  const [count, shim] = out.trim().split(' ');
  return { count: Number.parseInt(count ?? '', 10) || 0, shim: shim === 'shim' };
}
