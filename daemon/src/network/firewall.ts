/**
 * The daemon's own firewall rules: one chain per address family, named for the daemon's state dir,
 * reached from INPUT and FORWARD only by packets that come in on a sandbox bridge, so no other
 * container's traffic ever enters it. Written with iptables, the command Docker and netavark use here
 * (its nf_tables or legacy backend alike). The name is the same for every daemon on one state dir,
 * so the next start finds what a killed daemon left and removes it first.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { DaemonError } from '../errors.js';
import type { Logger } from '../log.js';

const run = promisify(execFile);

export const LINK_LOCAL_V4 = '169.254.0.0/16';
const HOOKS = ['INPUT', 'FORWARD'] as const;

interface Family {
  readonly command: 'iptables' | 'ip6tables';
  /** The link-local range to refuse, where it is routed at all (IPv6's fe80::/10 never leaves the link). */
  readonly linkLocal: string | undefined;
}

const FAMILIES: readonly Family[] = [
  { command: 'iptables', linkLocal: LINK_LOCAL_V4 },
  { command: 'ip6tables', linkLocal: undefined },
];

export interface Blocks {
  linkLocal: boolean;
  host: boolean;
}

/** The chain of the daemon on `stateDir` (iptables takes at most 28 characters). */
export const chainName = (stateDir: string): string => `POCKETDOCK-${createHash('sha256').update(stateDir).digest('hex').slice(0, 10)}`;

export class Firewall {
  private readonly bridges = new Set<string>();
  /** Calls run one at a time, in order: each reads what the last one left. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly chain: string,
    private readonly blocks: Blocks,
    private readonly log: Logger,
  ) {}

  /** Removes whatever rules of this chain a killed daemon left, then makes the chain afresh. */
  install(): Promise<void> {
    return this.serial(async () => {
      for (const f of FAMILIES) {
        await this.clear(f);
        await this.ipt(f, ['-N', this.chain]);
        for (const rule of this.rules(f)) await this.ipt(f, ['-A', this.chain, ...rule]);
      }
      this.log.info({ chain: this.chain, blocks: this.blocks }, 'firewall chain installed');
    });
  }

  /** Sends what comes in on `bridge` through the chain. */
  addBridge(bridge: string): Promise<void> {
    return this.serial(async () => {
      if (this.bridges.has(bridge)) return;
      for (const f of FAMILIES)
        for (const hook of HOOKS)
          await this.ipt(f, ['-I', hook, '1', '-i', bridge, '-m', 'comment', '--comment', 'pocketdock', '-j', this.chain]);
      this.bridges.add(bridge);
      this.log.info({ chain: this.chain, bridge }, 'sandbox bridge filtered');
    });
  }

  /** Removes every rule of the chain and the chain itself. */
  remove(): Promise<void> {
    return this.serial(async () => {
      for (const f of FAMILIES) await this.clear(f);
      this.bridges.clear();
      this.log.info({ chain: this.chain }, 'firewall chain removed');
    });
  }

  private rules(f: Family): string[][] {
    // Replies to what the host opened (a published port's proxy, say) still come back.
    const rules = [['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN']];
    if (this.blocks.linkLocal && f.linkLocal) rules.push(['-d', f.linkLocal, '-j', 'REJECT']);
    // LOCAL: every address of the host, whichever interface holds it, added later ones too.
    if (this.blocks.host) rules.push(['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'REJECT']);
    return rules;
  }

  private async clear(f: Family): Promise<void> {
    for (const hook of HOOKS) {
      const listed = await this.ipt(f, ['-S', hook]);
      for (const line of listed.split('\n')) {
        const words = line.split(' ');
        if (words[0] === '-A' && words.at(-1) === this.chain && words.at(-2) === '-j') await this.ipt(f, ['-D', ...words.slice(1)]);
      }
    }
    const exists = await this.ipt(f, ['-S', this.chain]).then(
      () => true,
      () => false,
    );
    if (exists) {
      await this.ipt(f, ['-F', this.chain]);
      await this.ipt(f, ['-X', this.chain]);
    }
  }

  private async ipt(f: Family, args: string[]): Promise<string> {
    try {
      // -w: wait for the lock the engines take while they change their own rules.
      return (await run(f.command, ['-w', ...args])).stdout;
    } catch (err) {
      const detail = ((err as { stderr?: string }).stderr || (err as Error).message).trim();
      throw new DaemonError('PocketDockError', `${f.command} ${args.join(' ')} failed: ${detail}`, { detail });
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
