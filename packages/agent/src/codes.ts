/** The agent's frame types and spawn flags, as src/frame.h defines them (codes.test.ts checks both agree). */
export const HEADER = 9;
export const FRAME_MAX = 16 * 1024 * 1024;

/** daemon → agent */
export const Op = {
  spawn: 'S',
  stdin: 'I',
  close: 'C',
  signal: 'K',
  note: 'N',
  marked: 'M',
  flow: 'W',
} as const;

/** agent → daemon */
export const Ev = {
  ready: 'R',
  stdout: 'O',
  stderr: 'E',
  exit: 'X',
  gone: 'Z',
  ack: 'A',
  fail: 'F',
  list: 'L',
} as const;

export const SPAWN_STDIN = 1;
/** OP_SIGNAL's scope: the command's own process only. */
export const SIGNAL_MAIN = 1;
/** EV_LIST's flags: the command's stdin is open; its own process has ended; its tree has too (while no daemon listened). */
export const LIVE_STDIN = 1;
export const LIVE_EXITED = 2;
export const LIVE_GONE = 4;

export const VERSION_LINE = 'pocketdock-agent 1';
