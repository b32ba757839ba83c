import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from './program.js';

/** Every command and subcommand under `cmd`, with its full name ("daemon status"). */
function commands(cmd: Command, prefix = ''): [string, Command][] {
  return cmd.commands.flatMap((c) => {
    const name = `${prefix}${c.name()}`;
    return [[name, c] as [string, Command], ...commands(c, `${name} `)];
  });
}

function help(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

describe('help', () => {
  it('every command and subcommand shows examples of itself', () => {
    const all = commands(createProgram());
    expect(all.map(([name]) => name)).toEqual(expect.arrayContaining(['quickstart', 'daemon', 'daemon status', 'completion']));
    for (const [name, cmd] of all) {
      const text = help(cmd);
      expect(text, name).toMatch(/\nExamples:\n {2}\$ /);
      expect(text, name).toMatch(new RegExp(`^ {2}\\$ .*\\bpocketdock ${name}\\b`, 'm'));
    }
  });
});
