import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNewContainer, destroyContainer, listContainers, resumeContainer } from '@pocketdock/client';

const c = await createNewContainer({ profile: 'minimal-python', persist: true, memLimit: '512m' });

await c.writeFile('main.py', 'print(sum(range(10)))');               // relative: in /home/sandbox, the user's
const r = await c.run('python3 main.py', { timeout: 120, maxOutput: 1 << 20 }); // ExecResult
console.log(r.stdout, r.exitCode);                                    // "45\n" 0
for await (const ch of c.run('for i in 1 2 3; do echo line $i; done', { stream: true })) // as it is produced
  process.stdout.write(ch.data);

c.onStdout((_c, data) => process.stdout.write(data));                // every detached process of c
const p = await c.run('python3 -u -m http.server 8000', { detach: true }); // Process: peek/read/wait/kill
for await (const ch of p.stream()) if (ch.data.includes('Serving HTTP')) break; // stops following, not the server
const get = 'import urllib.request as u; print(u.urlopen("http://127.0.0.1:8000/").status)';
console.log((await c.run(get, { lang: 'python' })).stdout);           // "200\n"
await p.kill();                                                       // SIGTERM to it and all it started
console.log((await p.wait()).exitCode);                               // 143

const s = await c.session();                                          // one long-lived shell
await s.sendAndWait('cd /tmp && export X=1');
console.log((await s.sendAndWait('pwd; echo $X')).stdout);            // "/tmp\n1\n"

const t = await c.openTerminal({ command: 'stty size', rows: 24, cols: 80 }); // a PTY for people (vi, REPLs, top)
console.log((await t.exited).stdout);                                 // "24 80\r\n"

const here = await mkdtemp(join(tmpdir(), 'tour-'));
await writeFile(join(here, 'data.csv'), 'a,b\n1,2\n');
await c.push(here, 'in');                                             // a file or a tree; tar made on this side
await c.run('mkdir -p out && wc -l < in/data.csv > out/lines.txt');
await c.pull('out', join(here, 'out'));                               // never writes outside that directory
console.log(await readFile(join(here, 'out', 'lines.txt'), 'utf8'));  // "2\n"

await c.shutdown();                                                   // persistent: stopped, not removed
console.log((await listContainers()).find((i) => i.name === c.name)?.status); // "exited"
const again = await resumeContainer(c.name, { timeout: 60 });
console.log((await again.run('cat main.py')).stdout);                 // the file system is intact
await destroyContainer(again.name);                                   // removed, whatever persist says
