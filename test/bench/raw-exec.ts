/** The raw engine's exec, as a program using dockerode directly would run a command: what our figures are set against. */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

/** Runs `cmd` by plain dockerode and returns the demultiplexed output byte count. */
export async function rawExec(docker: Docker, containerId: string, cmd: string): Promise<number> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: ['sh', '-c', cmd], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  let bytes = 0;
  const out = new PassThrough().on('data', (b: Buffer) => {
    bytes += b.length;
  });
  const err = new PassThrough().on('data', (b: Buffer) => {
    bytes += b.length;
  });
  docker.modem.demuxStream(stream, out, err);
  await new Promise((resolve, reject) => stream.once('end', resolve).once('close', resolve).once('error', reject));
  await exec.inspect();
  return bytes;
}

export const MB = 1024 * 1024;
export const generate = (n: number) => `head -c ${n} /dev/zero | tr '\\0' x`;
export const mbps = (bytes: number, ms: number) => Math.round((bytes / MB / (ms / 1000)) * 10) / 10;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
