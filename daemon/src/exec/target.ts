/** Where and how a command will run: a running container, the argv for its lang, its default timeout. */
import type { ContainerHandle, Lang } from '@pocketdock/protocol';
import type { Containers } from '../container/index.js';
import type { Engine } from '../engine/index.js';
import { containerNotRunning } from '../errors.js';
import type { Logger } from '../log.js';
import { LangCheck, commandArgv } from './langs.js';

export interface ExecTarget {
  engine: Engine;
  containerId: string;
  argv: string[];
  /** The container's default exec timeout, in seconds. */
  timeout: number;
  /** For recordCommand/appendLog (project/): where the container's history and logs go. */
  handle: ContainerHandle;
}

export class ExecTargets {
  private readonly langs: LangCheck;

  constructor(private readonly containers: Containers, log: Logger) {
    this.langs = new LangCheck(log);
  }

  /** Resolves a running container and checks that its image has the interpreter `lang` needs. */
  async resolve(ref: string, command: string, lang: Lang | undefined, socketPath?: string): Promise<ExecTarget> {
    const { engine, inspect, handle } = await this.containers.resolve(ref, socketPath);
    if (!inspect.State.Running) throw containerNotRunning(ref, `container is ${inspect.State.Status}`);
    await this.langs.ensure(engine, inspect.Id, inspect.Config.Image, lang);
    return { engine, containerId: inspect.Id, argv: commandArgv(command, lang), timeout: handle.timeout, handle };
  }
}
