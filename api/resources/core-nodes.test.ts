import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../resource.js';
import { nodes } from './core-nodes.js';

const now = Date.parse('2025-06-01T12:00:00Z');

function row(node: KubeObject): Record<string, unknown> {
  return Object.fromEntries((nodes.columns ?? []).map((column) => [column.name, column.cell(node, now)]));
}

function node(overrides: { labels?: Record<string, string>; spec?: object; status?: object }): KubeObject {
  return {
    metadata: { name: 'node-1', creationTimestamp: '2025-05-20T12:00:00Z', labels: overrides.labels ?? {} },
    spec: overrides.spec ?? {},
    status: overrides.status ?? {},
  };
}

const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady' };

describe('the node table', () => {
  it('prints a cordoned control-plane node as kubectl get nodes -o wide shows it', () => {
    const controlPlane = node({
      labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'node-1' },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, ready],
        addresses: [
          { type: 'Hostname', address: 'node-1' },
          { type: 'InternalIP', address: '192.168.1.10' },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.33.1',
          osImage: 'Debian GNU/Linux 12 (bookworm)',
          kernelVersion: '6.1.0-21-amd64',
          containerRuntimeVersion: 'containerd://1.7.22',
        },
      },
    });
    expect(row(controlPlane)).toEqual({
      Name: 'node-1',
      Status: 'Ready,SchedulingDisabled',
      Roles: 'control-plane',
      Age: '12d',
      Version: 'v1.33.1',
      'Internal-IP': '192.168.1.10',
      'External-IP': '<none>',
      'OS-Image': 'Debian GNU/Linux 12 (bookworm)',
      'Kernel-Version': '6.1.0-21-amd64',
      'Container-Runtime': 'containerd://1.7.22',
    });
  });

  it.each([
    ['Ready', [ready], 'Ready'],
    ['NotReady when the kubelet stopped posting', [{ type: 'Ready', status: 'Unknown' }], 'NotReady'],
    ['Unknown without a Ready condition', [], 'Unknown'],
  ])('reads %s', (_, conditions, expected) => {
    expect(row(node({ status: { conditions } })).Status).toBe(expected);
  });

  it('gathers roles from role labels and the legacy role label, sorted', () => {
    const worker = node({
      labels: {
        'node-role.kubernetes.io/worker': '',
        'node-role.kubernetes.io/gpu': 'true',
        'kubernetes.io/role': 'ingress',
        'node-role.kubernetes.io/': '',
      },
    });
    expect(row(worker).Roles).toBe('gpu,ingress,worker');
  });

  it('prints <none> without roles and <unknown> for node info never reported', () => {
    const bare = row(node({}));
    expect([bare.Roles, bare.Version, bare['OS-Image'], bare['Internal-IP']]).toEqual([
      '<none>',
      '',
      '<unknown>',
      '<none>',
    ]);
  });

  it('selects nodes by spec.unschedulable as Go prints a bool', () => {
    expect(nodes.fieldSelectors?.['spec.unschedulable']?.(node({}))).toBe('false');
    expect(nodes.fieldSelectors?.['spec.unschedulable']?.(node({ spec: { unschedulable: true } }))).toBe(
      'true',
    );
  });
});
