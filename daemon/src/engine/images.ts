/**
 * Image calls on one engine (Engine.images): inspect, build from a context, pull, save, load, try
 * out. Failures leave as the protocol's typed errors, the build's with the engine's own words.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { tar } from '../cjs.js';
import { DaemonError } from '../errors.js';
import { answerWithin } from './deadline.js';
import { engineMessage, mapEngineError } from './errors.js';

/** One line of build or setup output; `step`/`total` come from the latest "Step N/M" line. */
export interface ImageProgress {
  line: string;
  step?: number;
  total?: number;
}

/** The files of a build context (name inside the context, path on disk), and directories kept even when empty. */
export interface BuildContextSpec {
  files: ReadonlyArray<{ name: string; path: string }>;
  dirs?: readonly string[];
}

export interface BuildSpec {
  context: BuildContextSpec;
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

export interface ImageFacts {
  labels: Record<string, string>;
  size: number;
  /** "" = root. */
  user: string;
  entrypoint: string[];
}

/** Image facts kept at most (the oldest is dropped first): a daemon uses few images. */
const FACTS_KEPT = 64;

export class EngineImages {
  /** The last answer of inspect per image reference, for a caller that accepts one of a given age. */
  private readonly known = new Map<string, { at: number; facts: ImageFacts }>();

  constructor(
    private readonly docker: Docker,
    private readonly socketPath: string,
    private readonly answerMs: number,
  ) {}

  /**
   * What the daemon reads of an image, or undefined when the engine has no such image. With
   * `maxAgeMs`, an answer at most that old will do (a create on the hot path); what this daemon does
   * to images (build, pull, load, commit) forgets every answer, someone else's tag moves within the age.
   */
  async inspect(ref: string, maxAgeMs = 0): Promise<ImageFacts | undefined> {
    const known = this.known.get(ref);
    if (known && performance.now() - known.at <= maxAgeMs) return known.facts;
    const facts = await this.fetch(ref);
    this.known.delete(ref);
    if (facts) this.known.set(ref, { at: performance.now(), facts });
    if (this.known.size > FACTS_KEPT) this.known.delete(this.known.keys().next().value!);
    return facts;
  }

  /** Images changed: every fact inspect kept may be stale. */
  forget(): void {
    this.known.clear();
  }

  private async fetch(ref: string): Promise<ImageFacts | undefined> {
    try {
      const info = await answerWithin(this.docker.getImage(ref).inspect(), this.answerMs, this.socketPath, 'image inspect');
      const entrypoint = info.Config?.Entrypoint as string[] | string | null | undefined;
      return {
        labels: info.Config?.Labels ?? {},
        size: info.Size,
        user: info.Config?.User ?? '',
        entrypoint: typeof entrypoint === 'string' ? [entrypoint] : (entrypoint ?? []),
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      // An engine that went away is a SocketConnectionError naming it, as from every other call.
      throw mapEngineError(err, { socketPath: this.socketPath, image: ref });
    }
  }

  /** The image's labels, or undefined when the engine has no such image. */
  async labels(ref: string): Promise<Record<string, string> | undefined> {
    return (await this.inspect(ref))?.labels;
  }

  async build(spec: BuildSpec): Promise<void> {
    const output = await this.docker
      .buildImage(packContext(spec.context), {
        t: spec.tag,
        buildargs: spec.buildArgs,
        labels: spec.labels,
        rm: true,
        forcerm: true,
      })
      .catch((err: unknown) => {
        throw buildFailed(spec.tag, engineMessage(err));
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
    const failure = await follow(this.docker, output, (event) => {
      if (event.stream === undefined) return;
      // RUN output arrives in arbitrary chunks; only whole lines are reported.
      const lines = (partial + event.stream).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(emit);
    });
    emit(partial);
    this.forget();
    if (failure) throw buildFailed(spec.tag, failure);
  }

  /** Pulls `ref`, giving up after `timeoutMs` so an unreachable registry costs little. */
  async tryPull(ref: string, timeoutMs = 20_000): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      const output = await this.docker.pull(ref, { abortSignal: AbortSignal.timeout(timeoutMs) });
      const failure = await follow(this.docker, output);
      this.forget();
      return failure ? { ok: false, reason: failure } : { ok: true };
    } catch (err) {
      const reason = (err as Error).name === 'AbortError' ? `no answer within ${timeoutMs / 1000} s` : engineMessage(err);
      return { ok: false, reason };
    }
  }

  /**
   * About how many bytes `save` writes for `refs`: their layers, each counted once (images of one
   * base share it), without the archive's own headers. For progress, never for a length.
   */
  async layersSize(refs: readonly string[]): Promise<number> {
    const layers = new Map<string, number>();
    for (const ref of refs) {
      const history = (await answerWithin(this.docker.getImage(ref).history(), this.answerMs, this.socketPath, 'image history').catch(
        (err: unknown) => {
          throw mapEngineError(err, { socketPath: this.socketPath, image: ref });
        },
      )) as { Id: string; Created: number; CreatedBy: string; Size: number }[];
      // A pulled image's older entries have no id of their own: what made them tells them apart.
      for (const h of history) layers.set(h.Id !== '<missing>' ? h.Id : `${h.Created} ${h.CreatedBy} ${h.Size}`, h.Size);
    }
    return [...layers.values()].reduce((a, b) => a + b, 0);
  }

  /** `docker save` of `refs` as one tar stream, read as the consumer reads it. */
  async save(refs: readonly string[]): Promise<Readable> {
    try {
      // dockerode has the call (GET /images/get) but its typings lack it.
      const multi = this.docker as unknown as { getImages(opts: { names: readonly string[] }): Promise<Readable> };
      return await multi.getImages({ names: refs });
    } catch (err) {
      throw mapEngineError(err, { socketPath: this.socketPath, image: refs.join(', ') });
    }
  }

  /**
   * `docker load` of the tar (or compressed tar) that `archive` carries; resolves to the tags (or,
   * for untagged images, the ids) the engine reports loading once it has read everything.
   */
  async load(archive: Readable): Promise<string[]> {
    const loaded: string[] = [];
    let failure: string | undefined;
    try {
      const output = await this.docker.loadImage(archive, { quiet: true });
      failure = await follow(this.docker, output, (event) => {
        // Docker: "Loaded image: repo:tag" / "Loaded image ID: sha256:…"; Podman: "Loaded image(s): a,b".
        const m = /^Loaded image(?: ID|\(s\))?: (.+)$/m.exec(event.stream ?? '');
        if (m) loaded.push(...m[1]!.split(',').map((ref) => ref.trim()));
      });
    } catch (err) {
      throw mapEngineError(err, { socketPath: this.socketPath });
    } finally {
      this.forget();
    }
    if (failure) throw mapEngineError({ statusCode: 500, message: failure }, { socketPath: this.socketPath });
    return loaded;
  }

  /** Runs `cmd` in a new container of `image` with no network, removes it, and returns its exit code. */
  async runToExit(image: string, cmd: string[]): Promise<number> {
    let container: Docker.Container | undefined;
    try {
      container = await this.docker.createContainer({ Image: image, Cmd: cmd, HostConfig: { NetworkMode: 'none' } });
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      return StatusCode;
    } catch (err) {
      throw mapEngineError(err, { socketPath: this.socketPath, image });
    } finally {
      await container?.remove({ force: true }).catch(() => undefined);
    }
  }
}

const buildFailed = (image: string, detail: string) =>
  new DaemonError('ImageBuildError', `building ${image} failed: ${detail}`, { image, detail });

/** Follows an engine JSON progress stream to its end; resolves to the error it reported, if any. */
function follow(docker: Docker, output: NodeJS.ReadableStream, onEvent?: (event: ProgressEvent) => void): Promise<string | undefined> {
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

/** A tar stream of the context's files, produced as the engine reads it. */
function packContext(context: BuildContextSpec): Readable {
  const pack = tar.pack();
  (async () => {
    for (const name of context.dirs ?? []) pack.entry({ name, type: 'directory', mode: 0o755 });
    for (const { name, path } of context.files) {
      const st = await stat(path);
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
