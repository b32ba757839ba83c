// A fork bomb in one sandbox stops at its pids limit, its run's timeout still fires, nothing of it is
// left, and another client's sandbox keeps answering meanwhile (its latency printed, not asserted:
// figures on a shared machine are noisy; speed belongs to test/bench/).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { docker, removeAfterAll } from '../helpers/engines.js';
import { useDaemon } from '../helpers/daemon.js';

const suite = useDaemon();
const { containers: names } = removeAfterAll();

const name = () => {
  const n = `pd-bomb-${randomBytes(3).toString('hex')}`;
  names.push(n);
  return n;
};

/**
 * The container's pids cgroup, read through the engine's own exec as a user would with `docker exec`
 * (v1 or v2): tasks now (the reading shell and PID 1 included), the most there were, forks refused.
 */
async function pids(container: string): Promise<{ current: number; peak: number; refused: number }> {
  const script =
    'd=/sys/fs/cgroup/pids; [ -e $d ] || d=/sys/fs/cgroup; read -r c <$d/pids.current; read -r p <$d/pids.peak; read -r _ m <$d/pids.events; echo $c $p $m';
  const exec = await docker.getContainer(container).exec({ Cmd: ['sh', '-c', script], AttachStdout: true });
  const stream = await exec.start({});
  const parts: Buffer[] = [];
  stream.on('data', (d: Buffer) => parts.push(d));
  await new Promise((resolve) => stream.once('end', resolve));
  // Docker multiplexes stdout in frames with an 8-byte header.
  const [current, peak, refused] = Buffer.concat(parts).subarray(8).toString().trim().split(' ').map(Number);
  return { current: current!, peak: peak!, refused: refused! };
}

describe('a fork bomb', () => {
  it("stops at the pids limit, times out with nothing left, while another client's runs stay correct", async () => {
    const bombed = await suite.pd.createNewContainer({ name: name() });
    const other = await suite.d.client();
    const bystander = await other.createNewContainer({ name: name() });
    try {
      await bombed.run('true'); // what runs its commands (the agent) is part of the idle sandbox
      const idle = (await pids(bombed.name)).current;
      const bomb = bombed.run('bomb() { bomb | bomb & }; bomb; sleep 60', { lang: 'bash', timeout: 10 });
      const latencies: number[] = [];
      let done = false;
      void bomb.finally(() => {
        done = true;
      });
      for (let i = 0; !done; i++) {
        const t0 = performance.now();
        const r = await bystander.run(`echo ${i}`);
        latencies.push(performance.now() - t0);
        expect(r).toMatchObject({ exitCode: 0, stdout: `${i}\n` });
      }
      const result = await bomb;
      expect(result.timedOut).toBe(true);
      // It hit the limit (forks refused), and nothing of it is left.
      const after = await pids(bombed.name);
      // Forks stop at 512; the engine's execs (the daemon's helpers) join the cgroup past it without forking there.
      expect(after.peak).toBeGreaterThanOrEqual(512);
      expect(after.peak).toBeLessThan(540);
      expect(after.refused).toBeGreaterThan(0);
      expect(after.current).toBe(idle);
      // The bombed sandbox itself is usable again.
      expect((await bombed.run('echo alive')).stdout).toBe('alive\n');
      latencies.sort((a, b) => a - b);
      const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
      const quiet: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        await bystander.run('true');
        quiet.push(performance.now() - t0);
      }
      quiet.sort((a, b) => a - b);
      console.log(
        `fork bomb (peaked at ${after.peak} tasks, ${after.refused} forks refused; timeout 10 s, ended after ${Math.round(result.durationMs)} ms with exit ${result.exitCode}): ` +
          `another client's ${latencies.length} runs meanwhile took median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms; ` +
          `after it, median ${Math.round(quiet[5]!)} ms`,
      );
    } finally {
      await other.close();
    }
  });
});
