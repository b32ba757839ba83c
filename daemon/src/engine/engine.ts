/**
 * One container engine (Docker or Podman) behind one socket. Every dockerode call of the daemon
 * goes through here, with its failures mapped to the protocol's error types.
 */
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { mapEngineError, type FailureContext } from './errors.js';

export type ContainerInspect = Docker.ContainerInspectInfo;

export interface ExecSpec {
  cmd: string[];
  env?: string[];
  user?: string;
  workdir?: string;
  tty?: boolean;
  stdin?: boolean;
}

export interface StartedExec {
  execId: string;
  stream: Duplex;
}

export class Engine {
  readonly docker: Docker;

  constructor(readonly socketPath: string) {
    this.docker = new Docker({ socketPath });
  }

  private async call<T>(ctx: Omit<FailureContext, 'socketPath'>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapEngineError(err, { socketPath: this.socketPath, ...ctx });
    }
  }

  ping(): Promise<unknown> {
    return this.call({}, () => this.docker.ping());
  }

  createContainer(opts: Docker.ContainerCreateOptions): Promise<string> {
    return this.call({ image: opts.Image ?? '' }, async () => (await this.docker.createContainer(opts)).id);
  }

  startContainer(id: string): Promise<void> {
    return this.call({ containerId: id }, async () => { await this.docker.getContainer(id).start(); });
  }

  inspectContainer(ref: string): Promise<ContainerInspect> {
    return this.call({ containerId: ref }, () => this.docker.getContainer(ref).inspect());
  }

  stopContainer(id: string, graceSeconds: number): Promise<void> {
    return this.call({ containerId: id }, async () => {
      try {
        await this.docker.getContainer(id).stop({ t: graceSeconds });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 304) throw err; // already stopped
      }
    });
  }

  removeContainer(id: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return this.call({ containerId: id }, async () => {
      await this.docker.getContainer(id).remove({ force: opts.force ?? false, v: opts.volumes ?? true });
    });
  }

  stats(id: string): Promise<Docker.ContainerStats> {
    return this.call({ containerId: id }, () => this.docker.getContainer(id).stats({ stream: false }));
  }

  top(id: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    return this.call({ containerId: id }, async () =>
      (await this.docker.getContainer(id).top({ ps_args: '-eo pid,user,etime,args' })) as { Titles: string[]; Processes: string[][] });
  }

  async exec(containerId: string, spec: ExecSpec): Promise<StartedExec> {
    return this.call({ containerId }, async () => {
      const exec = await this.docker.getContainer(containerId).exec({
        Cmd: spec.cmd,
        Env: spec.env,
        User: spec.user,
        WorkingDir: spec.workdir,
        Tty: spec.tty ?? false,
        AttachStdin: spec.stdin ?? false,
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({ hijack: true, stdin: spec.stdin ?? false, Tty: spec.tty ?? false });
      return { execId: exec.id, stream: stream as Duplex };
    });
  }

  execInspect(execId: string): Promise<Docker.ExecInspectInfo> {
    return this.call({}, () => this.docker.getExec(execId).inspect());
  }
}
