/**
 * The network sandboxes join. By default the engine's own bridge; with a block on (config
 * `network:`), a bridge network the daemon creates on each engine it uses, on a host interface it
 * names, whose incoming traffic goes through the daemon's firewall chain (firewall.ts). The chain is
 * installed at start and removed at stop; the networks stay, as sandboxes on them may outlive the
 * daemon.
 */
import { createHash } from 'node:crypto';
import { DaemonError } from '../errors.js';
import type { Engine } from '../engine/index.js';
import type { Logger } from '../log.js';
import { filtering, type NetworkConfig } from './config.js';
import { Firewall, chainName } from './firewall.js';

/** The label a network the daemon made carries: the host interface of its bridge. */
export const BRIDGE_LABEL = 'pocketdock.bridge';

/** Linux takes interface names of at most 15 characters; one per network and engine. */
const bridgeName = (network: string, socketPath: string): string =>
  `pd-${createHash('sha256').update(`${network}\0${socketPath}`).digest('hex').slice(0, 10)}`;

export class SandboxNetwork {
  private readonly firewall: Firewall | undefined;
  /** Per engine socket: its network made and its bridge filtered. */
  private readonly ready = new Map<string, Promise<void>>();

  constructor(
    private readonly config: NetworkConfig,
    stateDir: string,
    private readonly log: Logger,
  ) {
    this.firewall = filtering(config)
      ? new Firewall(chainName(stateDir), { linkLocal: config.blockLinkLocal, host: config.blockHost }, log)
      : undefined;
  }

  /** Installs the chain (after removing what a killed daemon left) and sets up the default engine's network. */
  async start(engine: Engine): Promise<void> {
    if (!this.firewall) return;
    await this.firewall.install();
    await this.prepare(engine);
  }

  /** The engine's NetworkMode for a sandbox that has a network. */
  async modeFor(engine: Engine): Promise<string> {
    if (!this.firewall) return 'bridge';
    await this.prepare(engine);
    return this.config.name;
  }

  async stop(): Promise<void> {
    await this.firewall?.remove();
  }

  private prepare(engine: Engine): Promise<void> {
    let ready = this.ready.get(engine.socketPath);
    if (!ready) {
      ready = this.setUp(engine);
      this.ready.set(engine.socketPath, ready);
      // A failure (the engine away) is tried again by the next sandbox.
      ready.catch(() => this.ready.delete(engine.socketPath));
    }
    return ready;
  }

  private async setUp(engine: Engine): Promise<void> {
    const name = this.config.name;
    let labels = await engine.inspectNetwork(name);
    if (!labels) {
      await engine
        .createBridgeNetwork(name, bridgeName(name, engine.socketPath), { [BRIDGE_LABEL]: bridgeName(name, engine.socketPath) })
        .catch((err: unknown) => this.log.info({ err, network: name }, 'network create failed; another daemon may have made it'));
      labels = await engine.inspectNetwork(name);
    }
    const bridge = labels?.[BRIDGE_LABEL];
    if (!bridge) {
      throw new DaemonError(
        'PocketDockError',
        `network ${name} on ${engine.socketPath} ${labels ? 'was not made by pocketdock (no bridge label): name another in network.name' : 'could not be created'}`,
        { detail: `sandbox network ${name} unusable` },
      );
    }
    await this.firewall!.addBridge(bridge);
  }
}
