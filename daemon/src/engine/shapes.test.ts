import { describe, expect, it } from 'vitest';
import { imageRef, topColumns } from './shapes.js';

describe('engine shapes', () => {
  it('splits Podman top rows into Docker columns, keeping spaces in the command', () => {
    const podman = {
      Titles: ['PID USER         ELAPSED COMMAND'],
      Processes: [['1 sandbox        00:06 /usr/bin/tini -g -- sleep infinity']],
    };
    expect(topColumns(podman)).toEqual({
      Titles: ['PID', 'USER', 'ELAPSED', 'COMMAND'],
      Processes: [['1', 'sandbox', '00:06', '/usr/bin/tini -g -- sleep infinity']],
    });
  });

  it('leaves Docker top as it is', () => {
    const docker = { Titles: ['PID', 'USER', 'ELAPSED', 'COMMAND'], Processes: [['6406', 'u', '00:00', 'sleep infinity']] };
    expect(topColumns(docker)).toBe(docker);
  });

  it('names Podman local images as Docker does', () => {
    expect(imageRef('localhost/pocketdock/minimal-python:latest')).toBe('pocketdock/minimal-python');
    expect(imageRef('pocketdock/snap:v1')).toBe('pocketdock/snap:v1');
    expect(imageRef('docker.io/pocketdock/snap:v1')).toBe('pocketdock/snap:v1');
  });
});
