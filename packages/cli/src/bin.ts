#!/usr/bin/env node
/** pocketdock: the command line. Parses, runs the command, and turns any failure into one line and an exit code. */
import { CommanderError } from 'commander';
import { ExitCode, errorLine, exitCodeOf } from './errors.js';
import { createProgram } from './program.js';
import { wantsColor } from './output.js';
import pc from 'picocolors';

try {
  await createProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : ExitCode.Usage;
  } else {
    const color = pc.createColors(wantsColor(process.stderr));
    process.stderr.write(`${color.red('pocketdock:')} ${errorLine(err)}\n`);
    if (process.argv.includes('--verbose')) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    process.exitCode = exitCodeOf(err);
  }
}
