/**
 * Where and how a command will run: a running container, the argv for its lang, its default timeout.
 *
 * A container whose agent is up needs no inspect per command: the agent's open exec stream is the
 * engine's own word that the container runs (it ends when the container stops or goes), and what
 * else a command needs — id, image, labels — does not change in a container's life. So a
 * resolution is kept exactly as long as the agent it found lives: an inspect is most of what a run
 * would otherwise cost.
 */
import type { AgentClient } from '@pocketdock/agent';
import type { ContainerHandle, Lang } from '@pocketdock/protocol';
import type { Containers } from '../container/index.js';
import type { Engine } from '../engine/index.js';
import { containerNotRunning } from '../errors.js';
import type { Logger } from '../log.js';
import type { Agents, ExecVia } from './agents.js';
import { LangCheck, commandArgv } from './langs.js';

export interface ExecTarget {
  engine: Engine;
  containerId: string;
  /** The container's agent; undefined when commands go through engine execs. */
  agent: AgentClient | undefined;
  argv: string[];
  /** The container's default exec timeout, in seconds. */
  timeout: number;
  /** For recordCommand/appendLog (project/): where the container's history and logs go. */
  handle: ContainerHandle;
}

interface Live {
  engine: Engine;
  containerId: string;
  image: string;
  handle: ContainerHandle;
  agent: AgentClient;
}

export class ExecTargets {
  private readonly langs: LangCheck;
  /** By the reference and engine a caller named: resolutions of containers whose agent is up. */
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly containers: Containers,
    readonly agents: Agents,
    log: Logger,
  ) {
    this.langs = new LangCheck(log);
  }

  /** How the container's commands run (starting its agent if need be), and why not through the agent. */
  async via(ref: string, socketPath?: string): Promise<ExecVia> {
    const { engine, inspect } = await this.containers.resolve(ref, socketPath);
    if (!inspect.State.Running) return { execVia: 'engine', execNote: `the container is ${inspect.State.Status}` };
    return this.agents.via(engine, inspect.Id);
  }

  /** Resolves a running container and checks that its image has the interpreter `lang` needs. */
  async resolve(ref: string, command: string, lang: Lang | undefined, socketPath?: string): Promise<ExecTarget> {
    const key = `${socketPath ?? ''}\n${ref}`;
    let found: Live | (Omit<Live, 'agent'> & { agent: AgentClient | undefined }) | undefined = this.live.get(key);
    if (!found?.agent?.alive) {
      const { engine, inspect, handle } = await this.containers.resolve(ref, socketPath);
      if (!inspect.State.Running) throw containerNotRunning(ref, `container is ${inspect.State.Status}`);
      const agent = await this.agents.get(engine, inspect.Id);
      found = { engine, containerId: inspect.Id, image: inspect.Config.Image, handle, agent };
      this.keep(key, found);
    }
    const { engine, containerId, image, handle, agent } = found;
    await this.langs.ensure({ engine, containerId, agent }, image, lang);
    return { engine, containerId, agent, argv: commandArgv(command, lang), timeout: handle.timeout, handle };
  }

  /**
   * A container just handed out from the warm pool, whose agent was started while it waited: kept as
   * if a command had resolved it, so that its first command makes no engine call. Its calls name it
   * by id, with or without its engine (client/src/container.ts).
   */
  async handedOut(engine: Engine, handle: ContainerHandle, image: string): Promise<void> {
    // Only a shortcut: a container whose agent cannot be had is resolved by its first command, as any.
    const agent = await this.agents.get(engine, handle.containerId).catch(() => undefined);
    const found = { engine, containerId: handle.containerId, image, handle, agent };
    for (const socketPath of ['', engine.socketPath]) this.keep(`${socketPath}\n${handle.containerId}`, found);
  }

  /**
   * Drops what is kept of a container the daemon just stopped or restarted: its agent's stream
   * ends only a moment later, and a command sent meanwhile would go to the agent of a stopped container.
   */
  forget(containerId: string): void {
    for (const [key, found] of this.live) if (found.containerId === containerId) this.live.delete(key);
    this.agents.forget(containerId);
  }

  /** The container was removed: nothing of it is kept, not even where its agent was copied. */
  removed(containerId: string): void {
    this.forget(containerId);
    this.agents.removed(containerId);
  }

  private keep(key: string, found: Omit<Live, 'agent'> & { agent: AgentClient | undefined }): void {
    const { agent } = found;
    if (!agent) {
      this.live.delete(key);
      return;
    }
    this.live.set(key, { ...found, agent });
    void agent.closed.then(() => {
      if (this.live.get(key)?.agent === agent) this.live.delete(key);
    });
  }
}
