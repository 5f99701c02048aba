import { describe, expect, it } from 'vitest';
import { clearFlows, staleFlows } from './conntrack.js';
import type { Host } from './host.js';
import type { ServicePortModel } from './types.js';

const a = { ip: '10.88.0.2', port: 53 };
const b = { ip: '10.88.0.3', port: 53 };

function dns(overrides: Partial<ServicePortModel> = {}): ServicePortModel {
  return {
    namespace: 'kube-system',
    name: 'dns',
    portName: 'dns',
    protocol: 'udp',
    clusterIP: '10.96.0.10',
    port: 53,
    nodePort: 0,
    externalIPs: [],
    loadBalancerIPs: [],
    internalLocal: false,
    externalLocal: false,
    clusterEndpoints: [a, b],
    localEndpoints: [],
    ...overrides,
  };
}

describe('staleFlows', () => {
  it('deletes the flows DNATed to a UDP endpoint that went away, by service address and by node port', () => {
    const filters = staleFlows(
      { servicePorts: [dns({ nodePort: 30053, externalIPs: ['192.0.2.10'] })] },
      { servicePorts: [dns({ nodePort: 30053, externalIPs: ['192.0.2.10'], clusterEndpoints: [a] })] },
    );
    expect(filters).toEqual([
      ['-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53', '--dst-nat', '10.88.0.3'],
      ['-p', 'udp', '--orig-dst', '192.0.2.10', '--orig-port-dst', '53', '--dst-nat', '10.88.0.3'],
      ['-p', 'udp', '--orig-port-dst', '30053', '--dst-nat', '10.88.0.3'],
    ]);
  });

  it('deletes the flows of every endpoint of a deleted UDP service', () => {
    expect(staleFlows({ servicePorts: [dns()] }, { servicePorts: [] })).toEqual([
      ['-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53', '--dst-nat', '10.88.0.2'],
      ['-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53', '--dst-nat', '10.88.0.3'],
    ]);
  });

  it('clears cached rejects when a UDP service gets its first endpoint', () => {
    expect(
      staleFlows(
        { servicePorts: [dns({ clusterEndpoints: [], nodePort: 30053 })] },
        { servicePorts: [dns({ clusterEndpoints: [a], nodePort: 30053 })] },
      ),
    ).toEqual([
      ['-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53'],
      ['-p', 'udp', '--orig-port-dst', '30053'],
    ]);
  });

  it('leaves TCP alone and does nothing when the endpoints stay', () => {
    expect(staleFlows({ servicePorts: [dns()] }, { servicePorts: [dns()] })).toEqual([]);
    expect(
      staleFlows(
        { servicePorts: [dns({ protocol: 'tcp' })] },
        { servicePorts: [dns({ protocol: 'tcp', clusterEndpoints: [] })] },
      ),
    ).toEqual([]);
  });
});

describe('clearFlows', () => {
  it('runs conntrack -D per filter and takes "0 flow entries" as success', async () => {
    const calls: string[][] = [];
    const host: Host = {
      async exec(file, args) {
        calls.push([file, ...args]);
        return args.includes('10.88.0.3')
          ? {
              code: 1,
              stdout: '',
              stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n',
            }
          : { code: 1, stdout: '', stderr: 'conntrack: operation failed\n' };
      },
      readSysctl: async () => undefined,
      writeSysctl: async () => {},
    };
    const failures = await clearFlows(host, [
      ['-p', 'udp', '--dst-nat', '10.88.0.3'],
      ['-p', 'udp', '--dst-nat', '10.88.0.4'],
    ]);
    expect(calls).toEqual([
      ['conntrack', '-D', '-p', 'udp', '--dst-nat', '10.88.0.3'],
      ['conntrack', '-D', '-p', 'udp', '--dst-nat', '10.88.0.4'],
    ]);
    expect(failures).toEqual(['conntrack -D -p udp --dst-nat 10.88.0.4: conntrack: operation failed']);
  });
});
