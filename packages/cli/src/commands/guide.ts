/** Getting started and shell completion: quickstart, completion bash|zsh. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { act, examples } from '../program.js';

/** Each `$ ` line runs as printed (the CLI's tests run them in order). */
export const QUICKSTART = `pocketdock gives programs and people sandbox containers through one local daemon.

Start the daemon (the other commands start it on first use too):
  $ pocketdock daemon start

Create a sandbox, run commands in it, look at it:
  $ pocketdock create --name quickstart
  $ pocketdock run quickstart "echo hello from \\$(whoami) in \\$(pwd)"
  $ pocketdock run quickstart --lang python "print(6 * 7)"
  $ pocketdock info quickstart
  $ pocketdock list

Work in it interactively (exit or Ctrl-D to leave):
  pocketdock shell quickstart

Long-running work: start it detached, follow it from anywhere with its id:
  pocketdock run quickstart --detach "for i in 1 2 3; do echo tick \\$i; sleep 1; done"
  pocketdock attach <the id it printed>

Done with it:
  $ pocketdock shutdown quickstart --yes

More: pocketdock --help, pocketdock COMMAND --help, pocketdock profiles.
Scripts: every read command takes --json and prints the API's objects.
`;

/** The commands, their options and subcommands, for a completion script. */
function words(cmd: Command): string[] {
  return [
    ...cmd.commands.map((c) => c.name()),
    ...cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
  ];
}

const ZSH_PRELUDE = `if ! (( $+functions[compdef] )); then autoload -U +X compinit && compinit; fi
autoload -U +X bashcompinit && bashcompinit
`;

function bashScript(program: Command): string {
  const cases = program.commands.map((c) => `    ${c.name()}) words="${[...words(c), '--help'].join(' ')}" ;;`).join('\n');
  return `# pocketdock completion: source <(pocketdock completion bash) in ~/.bashrc, or zsh in ~/.zshrc
_pocketdock() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" words
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${words(program).join(' ')} --help"
  else
    case "\${COMP_WORDS[1]}" in
${cases}
    *) words="" ;;
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _pocketdock pocketdock
`;
}

export function registerGuideCommands(program: Command): void {
  examples(
    program
      .command('quickstart')
      .description('print a getting-started guide whose commands work as printed')
      .action(
        act(async (cli) => {
          cli.out.stdout.write(QUICKSTART);
        }),
      ),
    ['pocketdock quickstart'],
  );

  examples(
    program
      .command('completion')
      .description('print a shell completion script')
      .argument('<shell>', 'bash or zsh')
      .action(
        act(async (cli, [shell]) => {
          if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`completion for "${shell as string}": only bash and zsh`);
          const script = bashScript(program);
          // zsh runs bash completion functions through bashcompinit, whose `complete` needs compinit's compdef.
          cli.out.stdout.write(shell === 'bash' ? script : `#compdef pocketdock\n${ZSH_PRELUDE}${script}`);
        }),
      ),
    ['source <(pocketdock completion bash)     # in ~/.bashrc', 'source <(pocketdock completion zsh)      # in ~/.zshrc'],
  );
}
