/**
 * Signalling an exec inside its container. Docker has no exec-kill API and Podman's differs, so
 * every exec is started with POCKETDOCK_EXEC=<id> in its environment; the environment is inherited
 * by everything the command forks, including children that leave its process group. To signal the
 * exec, a helper exec scans /proc for that marker. For SIGKILL it repeats the scan until
 * nothing matches, so a child forked during the scan is caught too.
 *
 * The helper runs as the container's user, like the execs it signals — not as root: reading another
 * uid's /proc/<pid>/environ needs CAP_SYS_PTRACE, which Docker's and Podman's default capability
 * sets leave out, so a root helper finds nothing. Verified on Docker by test/integration/exec-kill:
 * a TERM-trapping command with a background child is gone after its timeout; kill(9) → 137,
 * kill(15) → 143.
 */
import type { Engine } from '../engine/index.js';

export const EXEC_MARKER = 'POCKETDOCK_EXEC';

const SCRIPT = `sig=$1; marker=$2; rounds=0
while :; do
  found=0
  for p in /proc/[0-9]*; do
    if grep -qzx "$marker" "$p/environ" 2>/dev/null; then kill -"$sig" "\${p#/proc/}" 2>/dev/null && found=1; fi
  done
  rounds=$((rounds+1))
  [ "$sig" = 9 ] && [ $found = 1 ] && [ $rounds -lt 100 ] || break
done`;

export async function signalExec(engine: Engine, containerId: string, execId: string, signal: number): Promise<void> {
  const { stream } = await engine.exec(containerId, {
    cmd: ['sh', '-c', SCRIPT, 'pocketdock-kill', String(signal), `${EXEC_MARKER}=${execId}`],
  });
  stream.resume();
  await new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}
