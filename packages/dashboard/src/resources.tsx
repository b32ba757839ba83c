/** CPU and memory over the last samples the daemon pushed, as a small chart, with the sandbox's other figures. */
import { useEffect, useState } from 'preact/hooks';
import type { ContainerInfo, StatsSample } from '@pocketdock/protocol';
import { reportError } from './notices.js';
import { HISTORY, useSamples } from './stats.js';
import type { PanelProps } from './sandbox.js';

const W = 600,
  H = 140;

function line(samples: StatsSample[], pick: (s: StatsSample) => number, max: number): string {
  const step = W / (HISTORY - 1);
  return samples.map((s, i) => `${(i * step).toFixed(1)},${(H - (Math.min(pick(s), max) / max) * H).toFixed(1)}`).join(' ');
}

/** The engine's pace, read off the last two samples (Docker every second, Podman every five). */
function pace(samples: StatsSample[]): string {
  const [a, b] = samples.slice(-2);
  return a && b ? `every ${Math.max(1, Math.round((Date.parse(b.at) - Date.parse(a.at)) / 1000))} s, ` : '';
}

export function ResourcesPanel({ transport, sandbox }: PanelProps) {
  const samples = useSamples(transport, sandbox.id);
  // What does not change while it runs: asked once.
  const [info, setInfo] = useState<ContainerInfo>();
  useEffect(() => {
    transport
      .call('container.info', { container: sandbox.id })
      .then(setInfo, (err: unknown) => reportError(`Reading ${sandbox.name} failed`, err));
  }, [transport, sandbox.id]);
  const cpuMax = Math.max(100, ...samples.map((s) => s.cpuPercent));
  const last = samples.at(-1);
  return (
    <div class="resources">
      <figure>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          class="chart"
          role="img"
          aria-label={`CPU ${last?.cpuPercent.toFixed(1) ?? 0} %, memory ${last?.memoryPercent.toFixed(1) ?? 0} % of the limit, over the last ${samples.length} samples`}
        >
          {[0.25, 0.5, 0.75].map((f) => (
            <line key={f} x1="0" x2={W} y1={H * f} y2={H * f} class="grid-line" />
          ))}
          <polyline points={line(samples, (s) => s.cpuPercent, cpuMax)} class="cpu" />
          <polyline points={line(samples, (s) => s.memoryPercent, 100)} class="memory" />
        </svg>
        <figcaption>
          <span class="key cpu">CPU {last ? `${last.cpuPercent.toFixed(1)} %` : '…'}</span>
          <span class="key memory">
            memory{' '}
            {last ? `${last.memoryUsage}${last.memoryLimit ? ` of ${last.memoryLimit} (${last.memoryPercent.toFixed(1)} %)` : ''}` : '…'}
          </span>
          <span class="muted">
            pushed by the daemon {pace(samples)}last {samples.length} samples
          </span>
        </figcaption>
      </figure>
      <dl class="facts">
        <dt>Uptime</dt>
        <dd>{last?.uptime ?? '…'}</dd>
        <dt>Processes</dt>
        <dd>{last?.pids ?? '…'}</dd>
        {info && (
          <>
            <dt>Network</dt>
            <dd>{info.network ? info.ipAddress || 'yes' : 'none (loopback only)'}</dd>
            <dt>Ports</dt>
            <dd>
              {Object.entries(info.ports)
                .map(([h, c]) => `${h}→${c}`)
                .join(', ') || '—'}
            </dd>
            <dt>Created</dt>
            <dd>{new Date(info.createdAt).toLocaleString()}</dd>
          </>
        )}
      </dl>
    </div>
  );
}
