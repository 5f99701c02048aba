import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/resource.js';
import { pods } from '../../api/resources/core-pods.js';
import { DefaultTolerationSeconds } from './default-toleration-seconds.js';
import type { AdmissionRequest } from './types.js';

const plugin = new DefaultTolerationSeconds();

function admit(tolerations: unknown[] | undefined, subresource?: string): unknown {
  const object: KubeObject = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { ...(tolerations ? { tolerations } : {}) },
  };
  const request: AdmissionRequest = {
    operation: 'CREATE',
    resource: pods,
    ...(subresource ? { subresource } : {}),
    namespace: 'default',
    name: 'web',
    object,
    dryRun: false,
    warn: () => {},
  };
  plugin.admit(request);
  return (object.spec as { tolerations?: unknown }).tolerations;
}

const notReady = {
  key: 'node.kubernetes.io/not-ready',
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: 300,
};
const unreachable = {
  key: 'node.kubernetes.io/unreachable',
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: 300,
};

describe('DefaultTolerationSeconds', () => {
  it('tolerates a not-ready or unreachable node for five minutes', () => {
    expect(admit(undefined)).toEqual([notReady, unreachable]);
  });

  it('keeps a pod’s own toleration of either taint, for any time or none', () => {
    const own = {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 10,
    };
    expect(admit([own])).toEqual([own, notReady]);
    const forever = { key: 'node.kubernetes.io/not-ready', operator: 'Exists' };
    expect(admit([forever])).toEqual([forever, unreachable]);
  });

  it('counts a toleration of every taint as tolerating both', () => {
    const everything = { operator: 'Exists' };
    expect(admit([everything])).toEqual([everything]);
  });

  it('does not count a toleration of another effect', () => {
    const noSchedule = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' };
    expect(admit([noSchedule])).toEqual([noSchedule, notReady, unreachable]);
  });

  it('leaves subresource writes alone', () => {
    expect(admit(undefined, 'status')).toBeUndefined();
  });
});
