/** Image calls on the engine: inspect labels, build from a folder, pull. */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import * as tar from 'tar-stream';
import { engineMessage } from './errors.js';

/** One line of build or setup output; `step`/`total` come from the latest "Step N/M" line. */
export interface ImageProgress {
  line: string;
  step?: number;
  total?: number;
}

export interface BuildSpec {
  contextDir: string;
  tag: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  onProgress?: (p: ImageProgress) => void;
}

// Docker paints a RUN step's stderr red; progress consumers want plain text.
// eslint-disable-next-line no-control-regex
const ANSI_COLOR = /\x1b\[[0-9;]*m/g;

interface ProgressEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** The image's labels, or undefined when the engine has no such image. */
export async function imageLabels(docker: Docker, tag: string): Promise<Record<string, string> | undefined> {
  try {
    const info = await docker.getImage(tag).inspect();
    return info.Config?.Labels ?? {};
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

export async function buildImage(docker: Docker, spec: BuildSpec): Promise<void> {
  const output = await docker
    .buildImage(packDirectory(spec.contextDir), {
      t: spec.tag,
      buildargs: spec.buildArgs,
      labels: spec.labels,
      rm: true,
      forcerm: true,
    })
    .catch((err: unknown) => {
      throw new Error(`building ${spec.tag} failed: ${engineMessage(err)}`);
    });
  let step: number | undefined;
  let total: number | undefined;
  let partial = '';
  const emit = (raw: string) => {
    const line = raw.replace(ANSI_COLOR, '');
    // Docker says "Step 2/9 : RUN …", Podman "STEP 2/9: RUN …".
    const m = /^step (\d+)\/(\d+)\s*:/i.exec(line);
    if (m) [step, total] = [Number(m[1]), Number(m[2])];
    if (line.trim()) spec.onProgress?.({ line, step, total });
  };
  const failure = await follow(docker, output, (event) => {
    if (event.stream === undefined) return;
    // RUN output arrives in arbitrary chunks; only whole lines are reported.
    const lines = (partial + event.stream).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(emit);
  });
  emit(partial);
  if (failure) throw new Error(`building ${spec.tag} failed: ${failure}`);
}

/** Pulls `ref`, giving up after `timeoutMs` so an unreachable registry costs little. */
export async function tryPull(
  docker: Docker,
  ref: string,
  timeoutMs = 20_000,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const output = await docker.pull(ref, { abortSignal: AbortSignal.timeout(timeoutMs) });
    const failure = await follow(docker, output);
    return failure ? { ok: false, reason: failure } : { ok: true };
  } catch (err) {
    const reason = (err as Error).name === 'AbortError' ? `no answer within ${timeoutMs / 1000} s` : engineMessage(err);
    return { ok: false, reason };
  }
}

/** Follows an engine JSON progress stream to its end; resolves to the error it reported, if any. */
function follow(
  docker: Docker,
  output: NodeJS.ReadableStream,
  onEvent?: (event: ProgressEvent) => void,
): Promise<string | undefined> {
  let failure: string | undefined;
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      output,
      (err) => (err ? reject(err) : resolve(failure)),
      (event: ProgressEvent) => {
        if (event.errorDetail || event.error) failure ??= (event.errorDetail?.message ?? event.error ?? '').trim();
        onEvent?.(event);
      },
    );
  });
}

/** A tar stream of `dir`'s regular files, produced as the engine reads it. */
function packDirectory(dir: string): Readable {
  const pack = tar.pack();
  (async () => {
    const names = (await readdir(dir, { recursive: true })).sort();
    for (const name of names) {
      const path = join(dir, name);
      const st = await stat(path);
      if (!st.isFile()) continue;
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ name, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime }, (err) =>
          err ? reject(err) : resolve(),
        );
        createReadStream(path).on('error', reject).pipe(entry);
      });
    }
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  // tar-stream builds on streamx; dockerode expects a Node stream.
  return Readable.from(pack, { objectMode: false });
}
