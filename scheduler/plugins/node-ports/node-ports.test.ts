import { expect, test } from 'vitest';
import { node, pod, runFilter, testHandle } from '../../testing/fixtures.js';
import type { Pod } from '../../types.js';
import { nodePorts } from './node-ports.js';

const withPort = (name: string, port: number, hostIP?: string, protocol?: string, bound?: string): Pod =>
  pod(name, {
    ...(bound ? { node: bound } : {}),
    containers: [
      {
        name: 'main',
        ports: [
          {
            containerPort: port,
            hostPort: port,
            ...(hostIP ? { hostIP } : {}),
            ...(protocol ? { protocol } : {}),
          },
        ],
      },
    ],
  });

test.each([
  {
    name: 'a pod without host ports skips the plugin',
    incoming: pod('p'),
    existing: [withPort('e', 80, undefined, undefined, 'n1')],
    want: 'skip',
  },
  {
    name: 'a free port',
    incoming: withPort('p', 8080),
    existing: [withPort('e', 80, undefined, undefined, 'n1')],
    want: 'ok',
  },
  {
    name: 'a port in use',
    incoming: withPort('p', 80),
    existing: [withPort('e', 80, undefined, undefined, 'n1')],
    want: "Unschedulable: node(s) didn't have free ports for the requested pod ports",
  },
  {
    name: 'the same port on another protocol',
    incoming: withPort('p', 53, undefined, 'UDP'),
    existing: [withPort('e', 53, undefined, 'TCP', 'n1')],
    want: 'ok',
  },
  {
    name: 'the same port on two specific IPs',
    incoming: withPort('p', 80, '10.0.0.2'),
    existing: [withPort('e', 80, '10.0.0.1', undefined, 'n1')],
    want: 'ok',
  },
  {
    name: '0.0.0.0 collides with a specific IP',
    incoming: withPort('p', 80),
    existing: [withPort('e', 80, '10.0.0.1', undefined, 'n1')],
    want: "Unschedulable: node(s) didn't have free ports for the requested pod ports",
  },
])('$name', ({ incoming, existing, want }) => {
  const { cache } = testHandle({ nodes: [node('n1')], pods: existing });
  expect(runFilter(nodePorts(), cache, incoming, 'n1')).toBe(want);
});
