/** What a process holds open, as /proc/<pid>/fd tells: a test's check that nothing was left held. */
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The paths under `under` that process `pid` holds open. */
export function heldOpen(pid: number, under: string): string[] {
  const fds = `/proc/${pid}/fd`;
  return readdirSync(fds)
    .map((fd) => {
      try {
        return readlinkSync(join(fds, fd));
      } catch {
        return ''; // closed while listed
      }
    })
    .filter((target) => target.startsWith(under));
}
