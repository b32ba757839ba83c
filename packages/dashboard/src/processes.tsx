/**
 * A sandbox's detached processes (exec.list): their buffered output (peek, leaving it for others),
 * following them live from the oldest buffered byte, and killing them.
 */
import { useEffect, useState } from 'preact/hooks';
import { Process } from '@pocketdock/client/browser';
import type { ExecSummary } from '@pocketdock/protocol';
import { Confirm } from './dialog.js';
import { Output, type Chunk } from './output.js';
import { attempt, reportError, reportInfo } from './notices.js';
import type { PanelProps } from './sandbox.js';

export function ProcessesPanel({ transport, sandbox, shown }: PanelProps) {
  const [list, setList] = useState<ExecSummary[]>([]);
  const [selected, select] = useState<string>();
  const [generation, refresh] = useState(0);
  useEffect(() => {
    if (!shown) return;
    void attempt('Listing processes failed', async () =>
      setList(await transport.call('exec.list', { container: sandbox.id, kind: 'process' })),
    );
  }, [transport, sandbox.id, shown, generation]);
  return (
    <div class="processes">
      <div class="row">
        <span class="muted grow">
          {list.length
            ? `${list.length} detached process${list.length === 1 ? '' : 'es'}`
            : 'No detached processes: start one with “Run in background”.'}
        </span>
        <button type="button" onClick={() => refresh((g) => g + 1)}>
          Refresh
        </button>
      </div>
      {list.length > 0 && (
        <table aria-label="Processes">
          <thead>
            <tr>
              <th>Command</th>
              <th>State</th>
              <th class="num">Buffered</th>
              <th>Id</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.execId} class={p.execId === selected ? 'selected' : ''} onClick={() => select(p.execId)}>
                <td>
                  <button
                    type="button"
                    class="link mono"
                    aria-pressed={p.execId === selected}
                    onClick={(e) => {
                      e.stopPropagation();
                      select(p.execId);
                    }}
                  >
                    {p.command}
                  </button>
                </td>
                <td>{p.running ? 'running' : `exited ${p.exitCode ?? ''}`}</td>
                <td class="num">
                  {p.bufferSize} B{p.bufferOverflow ? ' (overflowed)' : ''}
                </td>
                <td class="mono muted">{p.execId.slice(0, 8)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && <ProcessView key={selected} process={new Process(transport, selected)} onChanged={() => refresh((g) => g + 1)} />}
    </div>
  );
}

function ProcessView({ process, onChanged }: { process: Process; onChanged: () => void }) {
  const [chunks, setChunks] = useState<Chunk[]>([]);
  const [following, setFollowing] = useState<AbortController>();
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    void attempt('Reading the buffer failed', async () => {
      const { stdout, stderr } = await process.peek();
      setChunks(
        [
          { stream: 'stdout', data: stdout },
          { stream: 'stderr', data: stderr },
        ].filter((c) => c.data) as Chunk[],
      );
    });
  }, [process.id]);
  useEffect(() => () => following?.abort(), [following]);

  const follow = async () => {
    const abort = new AbortController();
    setFollowing(abort);
    setChunks([]);
    try {
      // Not lossless: a person watching must never hold the process back.
      for await (const ch of process.stream({ signal: abort.signal })) setChunks((all) => [...all, ch]);
    } catch (err) {
      if (!abort.signal.aborted) reportError('Following the process failed', err);
    }
    setFollowing(undefined);
    onChanged();
  };

  return (
    <div class="process">
      <div class="row">
        <span class="mono grow">process {process.id}</span>
        {following ? (
          <button type="button" onClick={() => following.abort()}>
            Stop following
          </button>
        ) : (
          <button type="button" class="primary" onClick={() => void follow()}>
            Follow live
          </button>
        )}
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          Kill
        </button>
      </div>
      <Output chunks={chunks} label="Process output" />
      {asking && (
        <Confirm
          title="Kill this process?"
          action="Kill"
          onClose={() => setAsking(false)}
          text="SIGTERM goes to the process and everything it started in the sandbox."
          onConfirm={() =>
            void attempt('Killing the process failed', async () => {
              await process.kill();
              reportInfo('Sent SIGTERM', process.id);
              onChanged();
            })
          }
        />
      )}
    </div>
  );
}
