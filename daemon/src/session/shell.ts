/**
 * What a session writes to its shell. The shell (bash when the image has it, else sh) reads one
 * line per command: `__pd_run NONCE MARKER 'COMMAND'`. Semantics the session documents:
 * - the command runs in the shell itself (cd, variables, functions persist), with stdin from
 *   /dev/null, so a command that reads stdin gets EOF instead of eating the commands after it;
 * - it runs as the condition of an `if`, where POSIX shells ignore errexit (subshells included):
 *   `set -e` cannot end the session, nor stop a command (use `bash -ec '…'` for fail-fast steps);
 *   `set -u` does end the shell on an unset variable, as it does any non-interactive shell;
 * - `exit` ends the shell, hence the session (SessionClosed); the EXIT trap still marks the command;
 * - every process it starts carries POCKETDOCK_EXEC=MARKER, so a timeout signals exactly those;
 *   USR1 makes the shell abandon the command (a loop of builtins has no process to signal).
 * The two function levels make the USR1 trap's `return` leave the command but never __pd_run,
 * so the marks are always printed.
 */
import { EXEC_MARKER } from '../exec/index.js';

export const INTERRUPT_SIGNAL = 10; // SIGUSR1

/** The exec's command: a shell reading commands from stdin, without profile or rc files. */
export const SHELL_COMMAND = 'if command -v bash >/dev/null 2>&1; then exec bash --noprofile --norc; else exec sh; fi';

const MARK = String.raw`__pd_mark() { command printf '\036PD%s:%s\036' "$__pd_n" "$1"; command printf '\036PD%s:%s\036' "$__pd_n" "$1" >&2; }`;

export const SHELL_INIT = [
  '__pd_busy= __pd_n= __pd_s=0',
  '__pd_inner() { eval "$__pd_c"; }',
  '__pd_eval() { __pd_busy=1; __pd_inner; __pd_s=$?; __pd_busy=; return $__pd_s; }',
  MARK,
  `__pd_run() { __pd_n=$1; export ${EXEC_MARKER}=$2; __pd_c=$3; if __pd_eval </dev/null; then __pd_s=0; else __pd_s=$?; fi; __pd_mark "$__pd_s"; __pd_n=; }`,
  `trap '[ -n "$__pd_busy" ] && return 130' USR1`,
  `trap '__pd_x=$?; [ -n "$__pd_n" ] && __pd_mark "x$__pd_x"' EXIT`,
  // Which shell answered, as the first command's output.
  'if [ -n "$BASH_VERSION" ]; then __pd_sh=bash; else __pd_sh=sh; fi',
  '',
].join('\n');

/** The first command: prints the shell's name once the definitions are in place. */
export const PROBE_COMMAND = 'command printf %s "$__pd_sh"';

/** `s` as one single-quoted shell word. */
export const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export const commandLine = (nonce: string, marker: string, command: string): string =>
  `__pd_run ${nonce} ${shellQuote(marker)} ${shellQuote(command)}\n`;
