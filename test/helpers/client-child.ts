/**
 * A client in a child node process (the built client, no TypeScript to compile), so that a test can
 * kill it mid-call as a user's program dies: its connection and HTTP requests end without a word.
 * The child does one thing (`action`) and prints JSON lines as it goes; its first line says the
 * call is under way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const CLIENT = new URL('../../client/dist/index.js', import.meta.url).href;

/** Run by the child: argv is socket, resume token, container name, action, then the action's arguments. */
const SCRIPT = `
import { connect } from ${JSON.stringify(CLIENT)};
const [socket, resumeToken, name, action, a, b] = process.argv.slice(1);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const pd = await connect({ daemon: socket, autoStart: false, resumeToken });
const c = await pd.container(name, process.env.PD_ENGINE ? { socketPath: process.env.PD_ENGINE } : {});
let told = false;
const onProgress = (p) => { if (!told) say({ moving: p.bytes }); told = true; };
if (action === 'stream') {
  const s = c.run(a, { stream: true, timeout: 600 });
  for await (const chunk of s) if (!told) { told = true; say({ execId: s.execId, chunk: chunk.data }); }
} else if (action === 'run') {
  say({ running: a });
  await c.run(a, { timeout: 600 });
} else if (action === 'push') await c.push(a, b, { onProgress });
else if (action === 'pull') await c.pull(a, b, { onProgress });
say({ done: true });
await pd.close();
`;

export interface ClientChild {
  readonly child: ChildProcess;
  /** The child's first line: the call is under way. */
  readonly first: Promise<Record<string, unknown>>;
  /** SIGKILL, resolved once the child is gone. */
  kill(): Promise<void>;
}

export interface ChildTarget {
  /** The daemon's socket. */
  socket: string;
  resumeToken: string;
  container: string;
  /** The container's engine, when not the daemon's default. */
  engine?: string;
}

export function clientChild(t: ChildTarget, action: string, ...args: string[]): ClientChild {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, t.socket, t.resumeToken, t.container, action, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...(t.engine && { PD_ENGINE: t.engine }) },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Record<string, unknown>));
    void exited.then(() => reject(new Error(`client child exited ${child.exitCode} before it said anything`)));
  });
  first.catch(() => undefined);
  return {
    child,
    first,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
