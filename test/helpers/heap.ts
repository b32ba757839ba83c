/**
 * Heap snapshots of a running daemon, taken through its inspector (a daemon started with
 * `node: ['--inspect=127.0.0.1:0']`) over the DevTools protocol, as Chrome's Memory tab takes them:
 * V8 collects all garbage first, so what a snapshot holds is what something still retains.
 */
import WebSocket from 'ws';
import type { TestDaemon } from './daemon.js';

/**
 * The objects of a heap snapshot that the program holds, by kind: `Name` for an object of class
 * Name, `(closure) name` for a function, `(string)` for every string, `(hidden) …` for V8's own.
 */
export interface HeapCensus {
  readonly counts: ReadonlyMap<string, number>;
  /** Bytes the objects of each kind hold themselves (V8's self size). */
  readonly bytes: ReadonlyMap<string, number>;
  /** Every object's self size, held by the program or not: the JS heap in use. */
  readonly total: number;
}

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const kindOf = (type: string, name: string): string =>
  type === 'object' ? name : type === 'closure' || type === 'hidden' || type === 'array' ? `(${type}) ${name}` : `(${type})`;

/**
 * What V8 keeps for its compiler — compiled code and its feedback (allocation sites, literal
 * boilerplates), hidden classes and their transitions — grows as code warms up, for as long as a
 * daemon runs, and none of it is an object the program keeps: the census neither counts it nor
 * follows its references.
 */
const COMPILER = new Set(['code', 'object shape']);

/** A heap snapshot, counted by kind of object, that can say what holds an object of a kind. */
export class HeapSnapshot implements HeapCensus {
  readonly counts = new Map<string, number>();
  readonly bytes = new Map<string, number>();
  readonly total: number = 0;
  private readonly kinds: string[] = [];
  /** Each object's retainer on a shortest path from the GC roots (-1: not held by the program), and the edge's name. */
  private readonly parent: Int32Array;
  private readonly via: string[] = [];

  constructor(private readonly snap: Snapshot) {
    const { meta } = snap.snapshot;
    const nodeFields = meta.node_fields.length;
    const [type, name, size, edgeCount] = ['type', 'name', 'self_size', 'edge_count'].map((f) => meta.node_fields.indexOf(f)) as [
      number,
      number,
      number,
      number,
    ];
    const edgeFields = meta.edge_fields.length;
    const [edgeType, edgeName, toNode] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [
      number,
      number,
      number,
    ];
    const { nodes, edges, strings } = snap;
    const n = nodes.length / nodeFields;
    const firstEdge = new Uint32Array(n + 1);
    const compiler = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const t = meta.node_types[0][nodes[i * nodeFields + type]!]!;
      this.kinds.push(kindOf(t, strings[nodes[i * nodeFields + name]!]!));
      compiler[i] = COMPILER.has(t) ? 1 : 0;
      firstEdge[i + 1] = firstEdge[i]! + nodes[i * nodeFields + edgeCount]! * edgeFields;
      this.total += nodes[i * nodeFields + size]!;
    }
    // Breadth first from the root over strong references: the first way found to an object is a shortest one.
    this.parent = new Int32Array(n).fill(-1);
    this.parent[0] = 0;
    const queue = [0];
    for (let q = 0; q < queue.length; q++) {
      const from = queue[q]!;
      for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e += edgeFields) {
        const t = meta.edge_types[0][edges[e + edgeType]!];
        const to = edges[e + toNode]! / nodeFields;
        if (t === 'weak' || t === 'shortcut' || compiler[to] || this.parent[to] !== -1) continue;
        this.parent[to] = from;
        const label = edges[e + edgeName]!;
        this.via[to] = t === 'element' || t === 'hidden' ? `[${label}]` : `.${strings[label]}`;
        queue.push(to);
      }
    }
    for (const i of queue) {
      const kind = this.kinds[i]!;
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
      this.bytes.set(kind, (this.bytes.get(kind) ?? 0) + nodes[i * nodeFields + size]!);
    }
  }

  /**
   * The shortest chain of references from the GC roots to the newest held object of `kind` (the
   * one DevTools lists first among its retainers), as `.property (Kind) → …`; "" when there is none.
   */
  retainedBy(kind: string): string {
    const { nodes, snapshot } = this.snap;
    const nodeFields = snapshot.meta.node_fields.length;
    const id = snapshot.meta.node_fields.indexOf('id');
    let newest = -1;
    for (let i = 0; i < this.kinds.length; i++) {
      if (this.kinds[i] !== kind || this.parent[i] === -1) continue;
      if (newest < 0 || nodes[i * nodeFields + id]! > nodes[newest * nodeFields + id]!) newest = i;
    }
    if (newest < 0) return '';
    const chain: string[] = [];
    for (let i = newest; i !== 0; i = this.parent[i]!) chain.unshift(`${this.via[i]} (${this.kinds[i]})`);
    return chain.join(' → ');
  }
}

export interface Inspector {
  /** A heap snapshot of the daemon. */
  snapshot(): Promise<HeapSnapshot>;
  /** Detaches, so that the daemon exits without waiting for its debugger. */
  close(): Promise<void>;
}

/** Attaches to the inspector of `d`, which must have been started with `--inspect=127.0.0.1:0`. */
export async function inspect(d: TestDaemon): Promise<Inspector> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(d.log())?.[1];
  if (!url) throw new Error('the daemon has no inspector: start it with node: ["--inspect=127.0.0.1:0"]');
  const ws = new WebSocket(url, { maxPayload: 0 });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let next = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++next;
      const answer = (raw: WebSocket.RawData) => {
        const m = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string } };
        if (m.id !== id) return;
        ws.off('message', answer);
        if (m.error) reject(new Error(`${method}: ${m.error.message}`));
        else resolve(m.result);
      };
      ws.on('message', answer);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async snapshot() {
      const chunks: string[] = [];
      const collect = (raw: WebSocket.RawData) => {
        const m = JSON.parse(raw.toString()) as { method?: string; params?: { chunk: string } };
        if (m.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(m.params!.chunk);
      };
      ws.on('message', collect);
      try {
        await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      } finally {
        ws.off('message', collect);
      }
      return new HeapSnapshot(JSON.parse(chunks.join('')) as Snapshot);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve()).close();
      }),
  };
}

/** Kinds of object of which `after` holds at least `min` more than `before`, with how many more. */
export function grown(before: HeapCensus, after: HeapCensus, min: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, n] of after.counts) {
    const more = n - (before.counts.get(kind) ?? 0);
    if (more >= min) out[kind] = more;
  }
  return out;
}
