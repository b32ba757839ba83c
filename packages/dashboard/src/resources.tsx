/** CPU and memory over the last few minutes as a small chart, with the sandbox's other figures. */
import { STATS_INTERVAL_MS, useHistory, type Sample } from './stats.js';
import type { PanelProps } from './sandbox.js';

const W = 600,
  H = 140;

function line(samples: Sample[], pick: (s: Sample) => number, max: number): string {
  const step = W / 59;
  return samples.map((s, i) => `${(i * step).toFixed(1)},${(H - (Math.min(pick(s), max) / max) * H).toFixed(1)}`).join(' ');
}

export function ResourcesPanel({ transport, sandbox }: PanelProps) {
  const { info, samples } = useHistory(transport, sandbox.id, sandbox.status === 'running');
  const cpuMax = Math.max(100, ...samples.map((s) => s.cpu));
  const last = samples.at(-1);
  return (
    <div class="resources">
      <figure>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          class="chart"
          role="img"
          aria-label={`CPU ${last?.cpu.toFixed(1) ?? 0} %, memory ${last?.memory.toFixed(1) ?? 0} % of the limit, sampled every ${STATS_INTERVAL_MS / 1000} s`}
        >
          {[0.25, 0.5, 0.75].map((f) => (
            <line key={f} x1="0" x2={W} y1={H * f} y2={H * f} class="grid-line" />
          ))}
          <polyline points={line(samples, (s) => s.cpu, cpuMax)} class="cpu" />
          <polyline points={line(samples, (s) => s.memory, 100)} class="memory" />
        </svg>
        <figcaption>
          <span class="key cpu">CPU {last ? `${last.cpu.toFixed(1)} %` : '…'}</span>
          <span class="key memory">
            memory{' '}
            {info ? `${info.memoryUsage}${info.memoryLimit ? ` of ${info.memoryLimit} (${info.memoryPercent.toFixed(1)} %)` : ''}` : '…'}
          </span>
          <span class="muted">
            every {STATS_INTERVAL_MS / 1000} s, last {samples.length} samples
          </span>
        </figcaption>
      </figure>
      {info && (
        <dl class="facts">
          <dt>Uptime</dt>
          <dd>{info.uptime || '—'}</dd>
          <dt>Processes</dt>
          <dd>{info.pids}</dd>
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
        </dl>
      )}
    </div>
  );
}
