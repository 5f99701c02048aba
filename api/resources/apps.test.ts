import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceDefinition } from '../resource.js';
import { controllerRevisions, daemonSets, deployments, replicaSets, statefulSets } from './apps.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const created = '2025-06-01T11:56:00Z';

function row(resource: ResourceDefinition, object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    (resource.columns ?? []).map((column) => [column.name, column.cell(object, now)]),
  );
}

const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'app', image: 'nginx:1.27' },
      { name: 'log', image: 'fluent-bit:3' },
    ],
  },
};

describe('the deployment table', () => {
  it('prints ready out of desired, as kubectl get deploy -o wide shows it', () => {
    const web: KubeObject = {
      metadata: { name: 'web', namespace: 'shop', creationTimestamp: created, generation: 2 },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: {
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 2,
        availableReplicas: 2,
        observedGeneration: 2,
      },
    };
    expect(row(deployments, web)).toEqual({
      Name: 'web',
      Ready: '2/3',
      'Up-to-date': 3,
      Available: 2,
      Age: '4m',
      Containers: 'app,log',
      Images: 'nginx:1.27,fluent-bit:3',
      Selector: 'app=web',
    });
  });

  it('prints a fresh deployment with no status yet as 0/N', () => {
    const fresh: KubeObject = { metadata: { name: 'web' }, spec: { replicas: 5, template } };
    expect(row(deployments, fresh).Ready).toBe('0/5');
  });
});

describe('the replica set table', () => {
  it('prints desired, current and ready counts as integers and the selector', () => {
    const rs: KubeObject = {
      metadata: { name: 'web-7d4b9', namespace: 'shop', creationTimestamp: created },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9' } },
        template,
      },
      status: { replicas: 3, readyReplicas: 1 },
    };
    expect(row(replicaSets, rs)).toEqual({
      Name: 'web-7d4b9',
      Desired: 3,
      Current: 3,
      Ready: 1,
      Age: '4m',
      Containers: 'app,log',
      Images: 'nginx:1.27,fluent-bit:3',
      Selector: 'app=web,pod-template-hash=7d4b9',
    });
  });
});

describe('the stateful set table', () => {
  it('prints ready out of desired and the containers, without a selector column', () => {
    const db: KubeObject = {
      metadata: { name: 'db', namespace: 'shop', creationTimestamp: created },
      spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template },
      status: { replicas: 3, readyReplicas: 3 },
    };
    expect(row(statefulSets, db)).toEqual({
      Name: 'db',
      Ready: '3/3',
      Age: '4m',
      Containers: 'app,log',
      Images: 'nginx:1.27,fluent-bit:3',
    });
  });
});

describe('the daemon set table', () => {
  it('prints scheduling counts and the node selector', () => {
    const agent: KubeObject = {
      metadata: { name: 'agent', namespace: 'kube-system', creationTimestamp: created },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { ...template, spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } },
      },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      },
    };
    expect(row(daemonSets, agent)).toEqual({
      Name: 'agent',
      Desired: 3,
      Current: 3,
      Ready: 2,
      'Up-to-date': 3,
      Available: 2,
      'Node Selector': 'kubernetes.io/os=linux',
      Age: '4m',
      Containers: 'app,log',
      Images: 'nginx:1.27,fluent-bit:3',
      Selector: 'app=agent',
    });
  });
});

describe('the controller revision table', () => {
  it.each([
    [
      'an apps owner',
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u1', controller: true },
      'statefulset.apps/db',
    ],
    ['a core owner', { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u2', controller: true }, 'pod/p'],
  ])('names %s as kind.group/name', (_, owner, expected) => {
    const revision: KubeObject = {
      metadata: { name: 'db-5f7c9', namespace: 'shop', creationTimestamp: created, ownerReferences: [owner] },
      revision: 4,
    };
    expect(row(controllerRevisions, revision)).toEqual({
      Name: 'db-5f7c9',
      Controller: expected,
      Revision: 4,
      Age: '4m',
    });
  });

  it('prints <none> when no owner is the controller', () => {
    const revision: KubeObject = {
      metadata: {
        name: 'r',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'a', uid: 'u' }],
      },
      revision: 1,
    };
    expect(row(controllerRevisions, revision).Controller).toBe('<none>');
  });
});

describe('apps resource facts', () => {
  it.each([deployments, replicaSets, statefulSets])(
    'scales $plural through spec.replicas and the spec selector',
    (resource) => {
      expect(resource.subresources?.scale).toEqual({
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
        labelSelectorPath: '.spec.selector',
      });
    },
  );

  it('declares no extra field selectors, as apps/v1 registers none', () => {
    for (const resource of [deployments, replicaSets, statefulSets, daemonSets, controllerRevisions]) {
      expect(resource.fieldSelectors).toBeUndefined();
    }
  });
});
