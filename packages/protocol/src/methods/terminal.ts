/**
 * terminal.*: interactive programs on a pseudo-terminal, for people (the CLI's `shell`, the
 * dashboard). A terminal is an exec with a TTY: its id is an exec id, its output (raw terminal bytes,
 * all on stdout) comes as exec.output notifications or through exec.poll, its end as exec.exit,
 * and exec.kill/exec.info work on it. Input bytes are passed as typed: "\u0003" is Ctrl-C.
 */
import { Type } from '@sinclair/typebox';
import { SubscriptionId } from './exec.js';
import { ExecId, addressed, method, oneOf, params } from './spec.js';

const Rows = Type.Integer({ minimum: 1, maximum: 1000 });
const Cols = Type.Integer({ minimum: 1, maximum: 1000 });

export const TERMINAL_METHODS = {
  'terminal.open': method(
    addressed({
      command: Type.Optional(Type.String({ minLength: 1, description: 'Run by sh -c; default: a login shell (bash when present)' })),
      rows: Rows,
      cols: Cols,
      env: Type.Optional(
        Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
          description: 'more environment; TERM defaults to xterm-256color',
        }),
      ),
      terminalId: Type.Optional(ExecId),
      subscribe: Type.Optional(Type.Boolean({ description: 'This connection gets exec.output/exec.exit from the first byte' })),
      subscription: Type.Optional(SubscriptionId),
      keep: Type.Optional(
        Type.Boolean({
          description: 'Keep running when the opening WebSocket closes (default false: it gets SIGHUP, as when a terminal window closes)',
        }),
      ),
    }),
    Type.Object({
      terminalId: Type.String(),
      subscription: Type.Optional(Type.String({ description: "with `subscribe`: the subscription's id" })),
    }),
    'Starts a program on a pseudo-terminal of the given size.',
  ),
  'terminal.input': method(
    params({
      terminalId: ExecId,
      data: Type.String(),
      encoding: Type.Optional(oneOf(['utf8', 'base64'] as const, 'how `data` is encoded; default utf8')),
    }),
    Type.Null(),
    'Writes bytes to the terminal, as keys typed.',
  ),
  'terminal.resize': method(
    params({ terminalId: ExecId, rows: Rows, cols: Cols }),
    Type.Null(),
    'Sets the terminal size; the program gets SIGWINCH.',
  ),
} as const;
