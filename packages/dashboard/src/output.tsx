/** Streamed output: stdout as is, stderr marked, kept scrolled to the end while it grows. */
import { useEffect, useRef } from 'preact/hooks';

export interface Chunk {
  stream: 'stdout' | 'stderr';
  data: string;
  lost?: number;
}

export function Output({ chunks, label }: { chunks: Chunk[]; label: string }) {
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chunks]);
  return (
    <pre ref={ref} class="output" aria-label={label} aria-live="off" tabIndex={0}>
      {chunks.map((c, i) => (
        <span key={i} class={c.stream}>
          {c.lost ? <em class="lost">[{c.lost} bytes dropped]</em> : null}
          {c.data}
        </span>
      ))}
    </pre>
  );
}
