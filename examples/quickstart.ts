import { createNewContainer } from '@pocketdock/client';

// The first call connects to the local daemon, starting one in the background if none answers.
await using c = await createNewContainer({ memLimit: '256m', timeout: 10 });

const r = await c.run('echo hello from $(whoami)');
console.log(r.stdout, r.exitCode, r.ok);                 // "hello from sandbox\n" 0 true

const py = await c.run('print(6 * 7)', { lang: 'python' });
console.log(py.stdout);                                   // "42\n"
// leaving the block shuts the sandbox down
