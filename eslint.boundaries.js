// The import rules of DESIGN.md, enforced. Every file falls under one entry (flat config would let a
// later entry's rule replace an earlier one's), so each entry lists all the rules of its area.
const DOMAINS = ['container', 'exec', 'session', 'files', 'images', 'project'];

const NOT_CLIENT = { group: ['**/client/**', '@pocketdock/client'], message: 'the daemon never imports the client.' };
const NOT_DOCKERODE = { group: ['dockerode'], message: 'dockerode lives in daemon/src/engine/ only: add the call to Engine.' };
const NOT_TRANSPORT = {
  group: ['**/rpc', '**/rpc/**', '**/server', '**/server/**'],
  message: 'domains never import the transport layers (rpc/, server/): take what they need as parameters.',
};
const NOT_CONTAINER_INTERNALS = {
  group: ['**/container', '**/container/**', '**/exec', '**/exec/**'],
  message: 'project/ owns project files; what it shares with containers (label names, defaults) lives in the protocol.',
};

const area = (files, ...patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });

export default [
  area(['client/src/**/*.ts'], {
    group: ['**/daemon/**', '@pocketdock/daemon', 'dockerode', 'fastify', 'pino'],
    message: 'client/ talks to the daemon through the protocol only: it must work where the daemon is on another machine.',
  }),
  area(['packages/cli/src/**/*.ts'], {
    group: ['**/daemon/**', '@pocketdock/daemon', 'dockerode'],
    message: 'the CLI is a thin layer over the client: every command is one or a few client calls.',
  }),
  area(['examples/**/*.ts'], {
    group: ['.*', '.*/**', '**/src/**', '@pocketdock/*', '!@pocketdock/client', 'dockerode'],
    message: "an example imports what its reader has: @pocketdock/client and Node's own modules.",
  }),
  area(['daemon/src/*.ts', 'daemon/src/rpc/**/*.ts', 'daemon/src/server/**/*.ts'], NOT_CLIENT, NOT_DOCKERODE),
  area(['daemon/src/engine/**/*.ts'], NOT_CLIENT),
  ...DOMAINS.map((domain) =>
    area(
      [`daemon/src/${domain}/**/*.ts`],
      NOT_CLIENT,
      NOT_DOCKERODE,
      NOT_TRANSPORT,
      ...(domain === 'project' ? [NOT_CONTAINER_INTERNALS] : []),
    ),
  ),
];
