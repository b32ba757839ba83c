/** doctor: a project's instance dirs against the containers the engines hold for it. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LABEL, type DoctorReport } from '@pocketdock/protocol';
import type { Engine, Engines } from '../engine/index.js';
import type { Logger } from '../log.js';
import { readProjectConfig } from './config.js';
import { instancesDir, readInstance } from './instance.js';

export async function doctor(engines: Engines, root: string, socketPath: string | undefined, log: Logger): Promise<DoctorReport> {
  const config = await readProjectConfig(root);
  const base = instancesDir(root);
  const dirs = (await readdir(base, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name);

  // Each instance dir names the engine its container lives on; look on those and the default one.
  const sockets = new Set(socketPath ? [socketPath] : engines.known().map((e) => e.socketPath));
  if (!socketPath) {
    for (const meta of await Promise.all(dirs.map((d) => readInstance(join(base, d))))) if (meta.socket_path) sockets.add(meta.socket_path);
  }
  const inProject = new Set<string>();
  for (const socket of sockets) {
    const engine: Engine = engines.get(socket);
    try {
      for (const c of await engine.listContainers({ [LABEL.managed]: 'true' })) {
        const labels = c.Labels ?? {};
        const ours =
          labels[LABEL.dataPath]?.startsWith(`${base}/`) || (config.projectName !== '' && labels[LABEL.project] === config.projectName);
        const name = labels[LABEL.instance] ?? c.Names[0]?.replace(/^\//, '');
        if (ours && name) inProject.add(name);
      }
    } catch (err) {
      // An engine named by an old instance dir may be gone; the explicit or default one must answer.
      if (socket === socketPath || socket === engines.defaultSocket) throw err;
      log.warn({ err, socket }, 'doctor: engine of an instance dir does not answer');
    }
  }
  const dirSet = new Set(dirs);
  const names = [...inProject];
  return {
    orphanedContainers: names.filter((n) => !dirSet.has(n)).sort(),
    staleInstanceDirs: dirs
      .filter((d) => !inProject.has(d))
      .map((d) => join(base, d))
      .sort(),
    healthy: names.filter((n) => dirSet.has(n)).length,
  };
}
