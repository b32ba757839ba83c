/** Starting and stopping a whole daemon: engines, domains, the RPC router and both listeners. */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DaemonConfig } from './config.js';
import { Engines } from './engine/index.js';
import { Files } from './files/index.js';
import { Images } from './images/index.js';
import type { Logger } from './log.js';
import { CAP_OF_EXEC, ClientCaps, RpcRouter, createHandlers, type Whereabouts } from './rpc/index.js';
import { ContainerWatch, Containers, HostPolicy, StatsWatch } from './container/index.js';
import { Agents, Doors, ExecTargets, Processes } from './exec/index.js';
import { SandboxNetwork } from './network/index.js';
import { Leases, WarmPool } from './pool/index.js';
import { Sessions } from './session/index.js';
import { StopSteps } from './stop-steps.js';
import {
  Connections,
  buildApp,
  claimSocketPath,
  listenOnFd,
  loadDashboard,
  loadOrCreateToken,
  unixSocketPath,
  type PassedSockets,
} from './server/index.js';

export interface RunningDaemon {
  readonly socketPath: string;
  /** The TCP port actually bound, or undefined when TCP is off. */
  readonly port: number | undefined;
  readonly token: string;
  readonly engineSocket: string;
  /**
   * Stops gracefully: refuses new calls, tells every client (daemon.stopping), lets calls in flight
   * finish for up to `graceMs`, closes sessions and connections. Containers keep running; leases
   * stay on disk for the next daemon.
   */
  close(reason?: string, graceMs?: number): Promise<void>;
  /** Calls `fn` with the bytes of exec output the daemon stops holding, as it forgets execs. */
  onFreed(fn: (bytes: number) => void): void;
}

/** How long calls in flight get to finish when the daemon stops. */
export const STOP_GRACE_MS = 10_000;

/** `passed`: listening sockets the service manager handed over (socket activation), used instead of opening any. */
export async function startDaemon(configured: DaemonConfig, log: Logger, passed?: PassedSockets): Promise<RunningDaemon> {
  // The socket a client can reach this daemon by, which the host policy keeps out of containers.
  const config = passed ? { ...configured, socket: unixSocketPath(passed.unix) ?? configured.socket } : configured;
  const engines = await Engines.open(config.engineSocket, log, process.env, config.engines, config.engineTimeoutSeconds * 1000);
  await engines.get().requireRuntime(config.sandbox.runtime);
  const network = new SandboxNetwork(config.network, config.stateDir, log);
  await network.start(engines.get()).catch(async (err: unknown) => {
    await network.stop().catch(() => undefined);
    throw err;
  });
  const doors = config.agent ? new Doors(join(config.stateDir, 'doors'), log) : undefined;
  const containers = new Containers(engines, log, new HostPolicy(config, () => engines.sockets()), config.sandbox, network, doors);
  const files = new Files(containers, log);
  const images = new Images(engines, files.transfers);
  const agents = new Agents(config.agent, log, doors);
  const targets = new ExecTargets(containers, agents, log);
  const processes = new Processes(targets, log, config.limits);
  const sessions = new Sessions(containers, processes, log);
  containers.onRemoved((id) => processes.containerRemoved(id));
  const leases = new Leases(
    async (t) => {
      await containers.shutdown(t.containerId, true, t.socketPath);
    },
    config.leaseGraceSeconds * 1000,
    log,
  );
  leases.restore(config.stateDir);
  containers.claims.restore(config.stateDir);
  void containers.settleClaims();
  const pool = new WarmPool(containers, engines.get(), config.pool, config.stateDir, log, {
    prime: (engine, id) => agents.get(engine, id),
    handedOut: (engine, handle, image) => targets.handedOut(engine, handle, image),
  });
  void pool.start();
  const caps = new ClientCaps(config.limits);
  processes.onAdopted((owner, kind, exec) => {
    if (kind !== 'run') caps.restore(owner, CAP_OF_EXEC[kind], exec, exec.done);
  });
  void processes.recover(config.stateDir);
  const whereabouts: Whereabouts = {
    stateDir: config.stateDir,
    port: null,
    socket: config.socket,
    startedAt: new Date(),
    maxMessageBytes: config.limits.maxMessageBytes,
  };
  const watch = new ContainerWatch(containers, engines, (id) => leases.leaseOf(id), log);
  leases.onChange((targets) => watch.leaseChanged(targets));
  const router = new RpcRouter(
    createHandlers({
      whereabouts,
      engines,
      containers,
      pool,
      watch,
      stats: new StatsWatch(containers, config.limits.maxStatsWatches, log),
      processes,
      files,
      images,
      sessions,
      leases,
      caps,
      log,
    }),
    config.limits,
    log,
  );
  const token = loadOrCreateToken(config.stateDir);

  // A socket the service manager passed is its own: it made the file, owns its mode and group, and removes it.
  const place = passed ? undefined : await claimSocketPath(config.socket);
  const apps: FastifyInstance[] = [];
  const connections = new Connections();
  const shared = { router, transfers: files.transfers, limits: config.limits, peers: leases, connections, log };
  try {
    const unixApp = await buildApp({ ...shared, transport: 'unix' });
    apps.push(unixApp);
    if (place) {
      await unixApp.listen({ path: place.staging });
      place.publish();
    } else if (passed) {
      await unixApp.ready();
      await listenOnFd(unixApp.server, passed.unix, 'unix');
    }

    let port: number | undefined;
    if (passed?.tcp !== undefined || config.port !== 0) {
      // The guard needs the bound port to check Host headers; bind first, then fill it in.
      const guard = { token, port: config.port, origins: config.origins };
      const tcpApp = await buildApp({ ...shared, transport: 'tcp', guard, dashboard: loadDashboard() });
      apps.push(tcpApp);
      if (passed?.tcp !== undefined) {
        await tcpApp.ready();
        await listenOnFd(tcpApp.server, passed.tcp, 'tcp');
      } else {
        await tcpApp.listen({ host: '127.0.0.1', port: config.port });
      }
      port = (tcpApp.server.address() as { port: number }).port;
      guard.port = whereabouts.port = port;
    }
    log.info({ socket: config.socket, port, activated: passed !== undefined, engine: engines.defaultSocket }, 'pocketdockd listening');
    return {
      socketPath: config.socket,
      port,
      token,
      engineSocket: engines.defaultSocket,
      onFreed: (fn) => processes.onFreed(fn),
      close: async (reason = 'stopped', graceMs = STOP_GRACE_MS) => {
        log.info({ reason, graceMs, connections: connections.size }, 'pocketdockd stopping');
        const steps = new StopSteps(log);
        // No new connections: the listeners stop accepting while the open ones finish.
        for (const a of apps) a.server.close();
        connections.notifyAll('daemon.stopping', { reason, graceMs });
        await steps.run('calls in flight', () => router.stop(`the daemon is shutting down (${reason})`, graceMs), graceMs);
        await steps.run('sessions', () => sessions.closeAll());
        await steps.run('connections', () => Promise.all(apps.map((a) => a.close())));
        await steps.run('leases and pool', () => Promise.all([leases.close(), pool.close()]));
        await steps.run('network', () => network.stop());
        agents.closeAll();
        await steps.run('socket', async () => place?.release());
        log.info('pocketdockd stopped');
      },
    };
  } catch (err) {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all([leases.close(), pool.close()]);
    await network.stop();
    await place?.release();
    throw err;
  }
}
