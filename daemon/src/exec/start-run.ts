/** Where a command runs: through the container's agent when it has one and no terminal is needed, else as an engine exec. */
import { AgentRun } from './agent-run.js';
import { ExecRun } from './exec.js';
import type { CommandRun, ExecStart } from './run.js';

export function startRun(s: ExecStart): Promise<CommandRun> {
  return s.agent?.alive && !s.tty ? Promise.resolve(AgentRun.start(s.agent, s)) : ExecRun.start(s);
}
