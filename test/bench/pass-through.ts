/**
 * A bare pass-through for files-hop.bench.ts, run as its own process: a PUT body goes straight into
 * putArchive, getArchive straight into a GET response, on a Unix socket, and nothing else happens.
 */
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';

const socket = process.argv[2]!;
createServer((req, res) => {
  const at = new URL(req.url!, 'http://pass-through');
  const container = new Docker({ socketPath: at.searchParams.get('engine')! }).getContainer(at.searchParams.get('id')!);
  const path = at.searchParams.get('path')!;
  const moved =
    req.method === 'PUT'
      ? container.putArchive(req, { path }).then(() => res.end())
      : container.getArchive({ path }).then((archive) => {
          res.writeHead(200);
          return pipeline(archive, res);
        });
  moved.catch((err: Error) => res.writeHead(500).end(err.message));
}).listen(socket, () => process.send!('listening'));
