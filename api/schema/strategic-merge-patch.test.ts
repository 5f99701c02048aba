import { describe, expect, it } from 'vitest';
import '../types/index.js';
import { StrategicPatchError, strategicMergePatch } from './strategic-merge-patch.js';

/**
 * Each case is a live object, a patch as a client sends it, and the object kube-apiserver stores.
 * Cases named "upstream: …" are apimachinery's strategicpatch/patch_test.go cases, with its MergeItem
 * fields translated to Kubernetes types of the same patch strategy (mergingList → containers or env by
 * name, mergingIntList → finalizers, nonMergingList → tolerations, retainKeysMap → a Deployment's strategy).
 */
interface Case {
  readonly name: string;
  readonly schema?: string;
  readonly live: unknown;
  readonly patch: unknown;
  readonly expected: unknown;
}

const deployment = 'io.k8s.api.apps.v1.Deployment';
const pod = 'io.k8s.api.core.v1.Pod';
const node = 'io.k8s.api.core.v1.Node';
const controllerRevision = 'io.k8s.api.apps.v1.ControllerRevision';

/** A Deployment whose pod template has this spec (and, optionally, this metadata). */
const withPodSpec = (spec: unknown, metadata?: unknown) => ({
  spec: { template: { ...(metadata === undefined ? {} : { metadata }), spec } },
});
const containers = (...items: unknown[]) => withPodSpec({ containers: items });
const env = (...items: unknown[]) => containers({ name: 'web', env: items });
const finalizers = (...items: unknown[]) => ({ metadata: { finalizers: items } });

const run = ({ schema = deployment, live, patch }: Case) => strategicMergePatch(live, patch, schema);

describe('strategic merge patch, as kubectl sends it', () => {
  it.each<Case>([
    {
      name: 'kubectl set image changes the image of the container it names and keeps its other fields',
      live: containers({
        name: 'nginx',
        image: 'nginx:1.25',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [{ name: 'MODE', value: 'fast' }],
      }),
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'nginx' }],
              containers: [{ image: 'nginx:1.27', name: 'nginx' }],
            },
          },
        },
      },
      expected: containers({
        name: 'nginx',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [{ name: 'MODE', value: 'fast' }],
      }),
    },
    {
      name: 'kubectl set image on one container keeps the other containers where they are',
      live: containers(
        { name: 'nginx', image: 'nginx:1.25' },
        { name: 'sidecar', image: 'envoy:1' },
        { name: 'logger', image: 'fluentbit:2' },
      ),
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'nginx' }],
              containers: [{ image: 'nginx:1.27', name: 'nginx' }],
            },
          },
        },
      },
      expected: containers(
        { name: 'nginx', image: 'nginx:1.27' },
        { name: 'sidecar', image: 'envoy:1' },
        { name: 'logger', image: 'fluentbit:2' },
      ),
    },
    {
      // Three-way patch of last-applied {ports: [80, 443]}, new config {ports: [80]}, live {ports: [80, 443]}.
      name: 'a second kubectl apply without port 443 deletes that port by its containerPort',
      live: containers({
        name: 'web',
        image: 'nginx',
        ports: [
          { containerPort: 80, protocol: 'TCP' },
          { containerPort: 443, protocol: 'TCP' },
        ],
      }),
      patch: {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'web' }],
              containers: [
                {
                  '$setElementOrder/ports': [{ containerPort: 80 }],
                  name: 'web',
                  ports: [{ $patch: 'delete', containerPort: 443 }],
                },
              ],
            },
          },
        },
      },
      expected: containers({ name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }),
    },
    {
      name: 'kubectl rollout pause sets spec.paused and nothing else',
      live: { metadata: { name: 'web', generation: 3 }, spec: { replicas: 2, template: { spec: {} } } },
      patch: { spec: { paused: true } },
      expected: {
        metadata: { name: 'web', generation: 3 },
        spec: { replicas: 2, paused: true, template: { spec: {} } },
      },
    },
    {
      name: 'kubectl rollout restart adds restartedAt to the pod template beside its other annotations',
      live: withPodSpec(
        { containers: [{ name: 'web' }] },
        { labels: { app: 'web' }, annotations: { team: 'a' } },
      ),
      patch: {
        spec: {
          template: {
            metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-05-01T10:00:00Z' } },
          },
        },
      },
      expected: withPodSpec(
        { containers: [{ name: 'web' }] },
        {
          labels: { app: 'web' },
          annotations: { team: 'a', 'kubectl.kubernetes.io/restartedAt': '2025-05-01T10:00:00Z' },
        },
      ),
    },
    {
      name: 'kubectl cordon marks the node unschedulable',
      schema: node,
      live: {
        metadata: { name: 'n1' },
        spec: { podCIDR: '10.0.1.0/24', taints: [{ key: 'gpu', effect: 'NoSchedule' }] },
      },
      patch: { spec: { unschedulable: true } },
      expected: {
        metadata: { name: 'n1' },
        spec: { podCIDR: '10.0.1.0/24', taints: [{ key: 'gpu', effect: 'NoSchedule' }], unschedulable: true },
      },
    },
    {
      name: 'kubectl label and annotate merge into the maps, and null deletes a key',
      live: { metadata: { name: 'web', labels: { app: 'web', old: 'yes' }, annotations: { a: '1' } } },
      patch: { metadata: { labels: { tier: 'front', old: null }, annotations: { b: '2', missing: null } } },
      expected: {
        metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, annotations: { a: '1', b: '2' } },
      },
    },
    {
      name: 'switching the strategy to Recreate with $retainKeys clears rollingUpdate',
      live: {
        spec: {
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        },
      },
      patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      expected: { spec: { strategy: { type: 'Recreate' } } },
    },
    {
      name: 'kubectl apply switching the strategy to Recreate sends $retainKeys and a null rollingUpdate',
      live: {
        spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
      },
      patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
      expected: { spec: { strategy: { type: 'Recreate' } } },
    },
    {
      name: 'kubectl apply switching a volume from emptyDir to configMap keeps only the keys $retainKeys lists',
      live: withPodSpec({
        containers: [{ name: 'web' }],
        volumes: [
          { name: 'cache', emptyDir: { medium: 'Memory' } },
          { name: 'config', secret: { secretName: 'app' } },
        ],
      }),
      patch: withPodSpec({
        '$setElementOrder/volumes': [{ name: 'cache' }, { name: 'config' }],
        volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'app' }, name: 'cache' }],
      }),
      expected: withPodSpec({
        containers: [{ name: 'web' }],
        volumes: [
          { name: 'cache', configMap: { name: 'app' } },
          { name: 'config', secret: { secretName: 'app' } },
        ],
      }),
    },
  ])('$name', (testCase) => {
    expect(run(testCase)).toEqual(testCase.expected);
  });
});

describe('lists merged by key', () => {
  it.each<Case>([
    {
      name: 'a container with a new name goes before the live containers the patch does not name',
      live: containers({ name: 'a' }, { name: 'b' }),
      patch: containers({ name: 'c', image: 'c' }),
      expected: containers({ name: 'c', image: 'c' }, { name: 'a' }, { name: 'b' }),
    },
    {
      name: 'env merges by name: a changed value stays in place, a new variable follows the patch item before it',
      live: env({ name: 'A', value: '1' }, { name: 'B', value: '2' }),
      patch: env({ name: 'B', value: '4' }, { name: 'C', value: '3' }),
      expected: env({ name: 'A', value: '1' }, { name: 'B', value: '4' }, { name: 'C', value: '3' }),
    },
    {
      name: 'env merges by name: a new variable the patch lists first goes first',
      live: env({ name: 'A', value: '1' }, { name: 'B', value: '2' }),
      patch: env({ name: 'C', value: '3' }, { name: 'B', value: '4' }),
      expected: env({ name: 'C', value: '3' }, { name: 'A', value: '1' }, { name: 'B', value: '4' }),
    },
    {
      name: 'a port marked $patch: delete is removed by containerPort and the other ports are kept',
      live: containers({
        name: 'web',
        ports: [{ containerPort: 80 }, { containerPort: 443 }, { containerPort: 8080 }],
      }),
      patch: containers({ name: 'web', ports: [{ $patch: 'delete', containerPort: 443 }] }),
      expected: containers({ name: 'web', ports: [{ containerPort: 80 }, { containerPort: 8080 }] }),
    },
    {
      name: 'upstream: delete all duplicate entries in a merging list',
      live: env({ name: 'X' }, { name: 'X' }, { name: 'Y', value: 'a' }, { name: 'Z' }, { name: 'Z' }),
      patch: env({ name: 'X', $patch: 'delete' }, { name: 'Z', $patch: 'delete' }),
      expected: env({ name: 'Y', value: 'a' }),
    },
    {
      name: '$patch: replace in a list makes the other patch items the whole list',
      live: containers({ name: 'a', image: 'a' }, { name: 'b' }),
      patch: containers({ name: 'c', image: 'c' }, { $patch: 'replace' }),
      expected: containers({ name: 'c', image: 'c' }),
    },
    {
      name: 'upstream: delete all items from merging list',
      live: containers({ name: 'a' }, { name: 'b' }),
      patch: containers({ $patch: 'replace' }),
      expected: containers(),
    },
    {
      name: 'upstream: merge empty merging lists (an empty patch list changes nothing)',
      live: containers({ name: 'a' }, { name: 'b' }),
      patch: containers(),
      expected: containers({ name: 'a' }, { name: 'b' }),
    },
    {
      name: 'upstream: preserve the order from the patch in a merging list',
      live: containers({ name: 'a' }, { name: 'b', image: 'b' }, { name: 'c' }),
      patch: containers(
        { name: 'c', image: 'c' },
        { name: 'a', image: 'a' },
        { name: 'b', workingDir: '/x' },
      ),
      expected: containers(
        { name: 'c', image: 'c' },
        { name: 'a', image: 'a' },
        { name: 'b', image: 'b', workingDir: '/x' },
      ),
    },
    {
      name: 'upstream: preserve the order from the patch in a merging list 2',
      live: containers({ name: 'a' }, { name: 'b', image: 'b' }, { name: 'c' }),
      patch: containers({ name: 'c', image: 'c' }, { name: 'a', image: 'a' }),
      expected: containers({ name: 'b', image: 'b' }, { name: 'c', image: 'c' }, { name: 'a', image: 'a' }),
    },
    {
      name: '$setElementOrder reorders the containers',
      live: containers({ name: 'a', image: 'a' }, { name: 'b' }, { name: 'c' }),
      patch: withPodSpec({ '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] }),
      expected: containers({ name: 'c' }, { name: 'a', image: 'a' }, { name: 'b' }),
    },
    {
      name: 'upstream: set elements order in a list with server-only items 3',
      live: containers(
        { name: 'a', workingDir: '/a' },
        { name: 'b', image: 'b' },
        { name: 's7' },
        { name: 's9' },
        { name: 's8' },
        { name: 'c', image: 'c' },
        { name: 'd', image: 'd' },
      ),
      patch: withPodSpec({
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }, { name: 'd' }, { name: 'c' }],
      }),
      expected: containers(
        { name: 'b', image: 'b' },
        { name: 'a', workingDir: '/a' },
        { name: 's7' },
        { name: 's9' },
        { name: 's8' },
        { name: 'd', image: 'd' },
        { name: 'c', image: 'c' },
      ),
    },
    {
      name: 'upstream: $setElementOrder contains item that is not present in the list to be merged',
      live: containers({ name: 'a' }, { name: 'c' }),
      patch: withPodSpec({
        '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }],
        containers: [
          { name: 'c', image: 'c' },
          { name: 'a', image: 'a' },
        ],
      }),
      expected: containers({ name: 'c', image: 'c' }, { name: 'a', image: 'a' }),
    },
    {
      name: 'upstream: behavior of set element order for a merging list with duplicate',
      live: env(
        { name: 'A' },
        { name: 'B', value: 'dup1' },
        { name: 'C' },
        { name: 'B', value: 'dup2' },
        { name: 'D' },
      ),
      patch: containers({
        name: 'web',
        '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }, { name: 'D' }, { name: 'C' }, { name: 'B' }],
      }),
      expected: env(
        { name: 'B', value: 'dup1' },
        { name: 'B', value: 'dup2' },
        { name: 'A' },
        { name: 'D' },
        { name: 'C' },
      ),
    },
    {
      name: 'upstream: delete and reorder in one list, reorder in another',
      live: containers(
        {
          name: 'a',
          env: [
            { name: 'C', value: 'c' },
            { name: 'D', value: 'd' },
          ],
        },
        { name: 'b' },
      ),
      patch: withPodSpec({
        '$setElementOrder/containers': [{ name: 'a' }],
        containers: [
          { name: 'a', '$setElementOrder/env': [{ name: 'D' }, { name: 'C' }] },
          { name: 'b', $patch: 'delete' },
        ],
      }),
      expected: containers({
        name: 'a',
        env: [
          { name: 'D', value: 'd' },
          { name: 'C', value: 'c' },
        ],
      }),
    },
    {
      // Upstream deletes `b` by shifting the live list down in place and appends `x` into the freed room,
      // so the live order it then orders by is [a, s, x]: `x` follows the container `s` that it never named.
      name: 'a container renamed by kubectl apply goes after the server-only container that followed the old one',
      live: containers({ name: 'a' }, { name: 'b' }, { name: 's' }),
      patch: withPodSpec({
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'x' }],
        containers: [
          { name: 'x', image: 'x' },
          { name: 'b', $patch: 'delete' },
        ],
      }),
      expected: containers({ name: 'a' }, { name: 's' }, { name: 'x', image: 'x' }),
    },
    {
      name: 'a new container is taken as sent, less directive keys and nulls (a $patch: delete inside is not applied)',
      live: containers({ name: 'a' }),
      patch: containers({
        name: 'b',
        image: null,
        '$setElementOrder/ports': [{ containerPort: 80 }],
        ports: [{ containerPort: 80 }, { containerPort: 443, $patch: 'delete' }],
      }),
      expected: containers(
        { name: 'b', ports: [{ containerPort: 80 }, { containerPort: 443 }] },
        { name: 'a' },
      ),
    },
  ])('$name', (testCase) => {
    expect(run(testCase)).toEqual(testCase.expected);
  });
});

describe('lists without a merge key', () => {
  it.each<Case>([
    {
      name: 'tolerations (atomic) are replaced whole',
      schema: pod,
      live: {
        spec: {
          tolerations: [
            { key: 'a', operator: 'Exists' },
            { key: 'b', operator: 'Exists' },
          ],
        },
      },
      patch: { spec: { tolerations: [{ key: 'c', operator: 'Equal', value: 'x' }] } },
      expected: { spec: { tolerations: [{ key: 'c', operator: 'Equal', value: 'x' }] } },
    },
    {
      name: 'an item of a replaced list marked $patch: delete is kept as data, as upstream decodes it',
      schema: pod,
      live: { spec: { tolerations: [{ key: 'a', operator: 'Exists' }] } },
      patch: { spec: { tolerations: [{ key: 'b', operator: 'Exists', $patch: 'delete' }] } },
      expected: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } },
    },
    {
      name: 'container args (atomic) are replaced whole',
      live: containers({ name: 'web', args: ['-a', '-b'] }),
      patch: containers({ name: 'web', args: ['-c'] }),
      expected: containers({ name: 'web', args: ['-c'] }),
    },
    {
      name: 'finalizers (patchStrategy merge) are a union, new ones before the live ones',
      live: finalizers('a', 'b'),
      patch: finalizers('c'),
      expected: finalizers('c', 'a', 'b'),
    },
    {
      name: 'finalizers already present keep their place in the union',
      live: finalizers('a', 'b'),
      patch: finalizers('b', 'c'),
      expected: finalizers('a', 'b', 'c'),
    },
    {
      name: '$deleteFromPrimitiveList/finalizers removes the finalizers it lists',
      live: finalizers('a', 'b', 'c'),
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'z'] } },
      expected: finalizers('a', 'c'),
    },
    {
      name: 'upstream: $deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list',
      live: { metadata: { name: 'web' } },
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      expected: { metadata: { name: 'web' } },
    },
    {
      name: 'upstream: $deleteFromPrimitiveList should delete item from a list without merge patch strategy',
      live: containers({ name: 'web', args: ['-a', '-b', '-c'] }),
      patch: containers({ name: 'web', '$deleteFromPrimitiveList/args': ['-b'] }),
      expected: containers({ name: 'web', args: ['-a', '-c'] }),
    },
    {
      name: '$setElementOrder orders finalizers: added, kept and deleted in one patch',
      live: finalizers('a', 'b', 'c'),
      patch: {
        metadata: {
          '$setElementOrder/finalizers': ['c', 'd', 'a'],
          finalizers: ['d'],
          '$deleteFromPrimitiveList/finalizers': ['b'],
        },
      },
      expected: finalizers('c', 'd', 'a'),
    },
    {
      name: 'upstream: preserve the order from the patch in a merging int list',
      live: finalizers('a', 'b', 'c'),
      patch: finalizers('c', 'a'),
      expected: finalizers('b', 'c', 'a'),
    },
    {
      name: 'upstream: behavior of set element order for a merging int list with duplicate',
      live: finalizers('a', 'b', 'c', 'b', 'd'),
      patch: { metadata: { '$setElementOrder/finalizers': ['b', 'a', 'd', 'c', 'b'] } },
      expected: finalizers('b', 'b', 'a', 'd', 'c'),
    },
  ])('$name', (testCase) => {
    expect(run(testCase)).toEqual(testCase.expected);
  });
});

describe('maps and directives', () => {
  it.each<Case>([
    {
      name: 'upstream: add key and delete all keys from map ($patch: replace)',
      live: { metadata: { labels: { a: '1', b: '2' } } },
      patch: { metadata: { labels: { $patch: 'replace', c: '3' } } },
      expected: { metadata: { labels: { c: '3' } } },
    },
    {
      name: 'upstream: delete map from nested map ($patch: delete leaves it empty)',
      live: { metadata: { name: 'web', labels: { a: '1', b: '2' } } },
      patch: { metadata: { labels: { $patch: 'delete' } } },
      expected: { metadata: { name: 'web', labels: {} } },
    },
    {
      name: '$patch: replace on the whole object replaces it',
      live: { metadata: { name: 'a', labels: { x: 'y' } }, spec: { replicas: 1 } },
      patch: { $patch: 'replace', metadata: { name: 'b' } },
      expected: { metadata: { name: 'b' } },
    },
    {
      name: 'a map carrying $patch where the live object has none is dropped, as upstream drops it',
      live: containers({ name: 'a' }),
      patch: withPodSpec({ affinity: { $patch: 'replace', nodeAffinity: {} } }),
      expected: containers({ name: 'a' }),
    },
    {
      name: 'a new map is added without its null fields',
      live: { spec: { replicas: 1 } },
      patch: {
        spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: null } } },
      },
      expected: {
        spec: { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
      },
    },
    {
      name: 'upstream: retainKeys map can change a field when no retainKeys directive present',
      live: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
      patch: { spec: { strategy: { rollingUpdate: { maxSurge: 2 } } } },
      expected: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2 } } } },
    },
    {
      name: 'upstream: retainKeys list of maps clears a field',
      live: withPodSpec({
        volumes: [
          { name: 'a', emptyDir: {}, configMap: { name: 'x' } },
          { name: 'b', emptyDir: {} },
        ],
      }),
      patch: withPodSpec({ volumes: [{ name: 'a', $retainKeys: ['name', 'emptyDir'] }] }),
      expected: withPodSpec({
        volumes: [
          { name: 'a', emptyDir: {} },
          { name: 'b', emptyDir: {} },
        ],
      }),
    },
  ])('$name', (testCase) => {
    expect(run(testCase)).toEqual(testCase.expected);
  });
});

describe('without schema information', () => {
  it.each<Case>([
    {
      name: 'a RawExtension merges as a JSON merge patch: maps merge, lists replace, null deletes',
      schema: controllerRevision,
      live: {
        revision: 2,
        data: {
          spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } }, replicas: 1 },
          keep: { a: 1 },
        },
      },
      patch: {
        data: {
          spec: { template: { spec: { containers: [{ name: 'b' }] } }, replicas: null },
          keep: { b: 2 },
        },
      },
      expected: {
        revision: 2,
        data: { spec: { template: { spec: { containers: [{ name: 'b' }] } } }, keep: { a: 1, b: 2 } },
      },
    },
    {
      name: 'directives still apply without schema and never reach the result',
      schema: controllerRevision,
      live: { data: { a: { x: 1, y: 2 }, list: [1, 2] } },
      patch: {
        data: { a: { $retainKeys: ['y'], y: 3 }, '$setElementOrder/list': [2, 1], b: { $patch: 'delete' } },
      },
      expected: { data: { a: { y: 3 }, list: [2, 1] } },
    },
  ])('$name', (testCase) => {
    expect(run(testCase)).toEqual(testCase.expected);
  });
});

describe('patches that cannot be applied', () => {
  it.each<Case & { readonly code: string; readonly status: number; readonly message: string }>([
    {
      name: '$patch: merge on a map is an unknown patch type, as upstream has it',
      live: { metadata: { labels: { a: 'b' } } },
      patch: { metadata: { labels: { $patch: 'merge', c: 'd' } } },
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FAILED',
      status: 500,
      message: 'unknown patch type: merge in map: map[$patch:merge c:d]',
      expected: undefined,
    },
    {
      name: '$patch: merge in a list',
      live: containers({ name: 'a' }),
      patch: containers({ name: 'a', $patch: 'merge' }),
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FAILED',
      status: 500,
      message: 'merging lists cannot yet be specified in the patch',
      expected: undefined,
    },
    {
      name: 'an unknown $patch in a list item',
      live: containers({ name: 'a' }),
      patch: containers({ name: 'a', $patch: 'bogus' }),
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FAILED',
      status: 500,
      message: 'unknown patch type: bogus in map: map[$patch:bogus name:a]',
      expected: undefined,
    },
    {
      name: 'upstream: missing merge key should error out',
      live: containers({ name: 'a', image: 'a' }),
      patch: containers({ image: 'b' }),
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FAILED',
      status: 500,
      message: 'map: map[image:b] does not contain declared merge key: name',
      expected: undefined,
    },
    {
      name: 'upstream: should check if order in $setElementOrder and patch list match',
      live: containers({ name: 'a' }, { name: 'c' }, { name: 'b' }),
      patch: withPodSpec({
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
        containers: [
          { name: 'c', image: 'c' },
          { name: 'a', image: 'a' },
        ],
      }),
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FAILED',
      status: 500,
      message:
        'The order in patch list:\n[map[image:c name:c] map[image:a name:a]]\n' +
        " doesn't match $setElementOrder list:\n[map[name:a] map[name:b] map[name:c]]\n",
      expected: undefined,
    },
    {
      name: '$retainKeys that leaves out a key the patch sets',
      live: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
      patch: {
        spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 2 } } },
      },
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FORMAT',
      status: 400,
      message: 'invalid patch format of retainKeys',
      expected: undefined,
    },
    {
      name: '$retainKeys that is not a list',
      live: { spec: { strategy: { type: 'Recreate' } } },
      patch: { spec: { strategy: { $retainKeys: 'type' } } },
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FORMAT',
      status: 400,
      message: 'invalid patch format of retainKeys',
      expected: undefined,
    },
    {
      name: '$setElementOrder without a field',
      live: containers({ name: 'a' }),
      patch: withPodSpec({ $setElementOrder: [{ name: 'a' }] }),
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FORMAT',
      status: 400,
      message: 'invalid patch format of setElementOrder list',
      expected: undefined,
    },
    {
      name: '$deleteFromPrimitiveList without a field',
      live: finalizers('a'),
      patch: { metadata: { $deleteFromPrimitiveList: ['a'] } },
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FORMAT',
      status: 400,
      message: 'invalid patch format of primitive list',
      expected: undefined,
    },
    {
      name: 'a list of lists',
      schema: controllerRevision,
      live: { data: { list: [[1], [2]] } },
      patch: { data: { '$deleteFromPrimitiveList/list': [1] } },
      code: 'SKIFF_ERR_STRATEGIC_PATCH_UNPROCESSABLE',
      status: 422,
      message: 'lists of lists are not supported',
      expected: undefined,
    },
    {
      name: 'items of different types in one merged list',
      live: finalizers('a'),
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': [['a']] } },
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FAILED',
      status: 500,
      message: 'list element types are not identical: [[a] [[a]]]',
      expected: undefined,
    },
    {
      name: 'a patch that is not an object',
      live: { metadata: { name: 'a' } },
      patch: [{ op: 'add' }],
      code: 'SKIFF_ERR_STRATEGIC_PATCH_FORMAT',
      status: 400,
      message: 'invalid JSON document',
      expected: undefined,
    },
  ])('$name', (testCase) => {
    let thrown: unknown;
    try {
      run(testCase);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StrategicPatchError);
    const error = thrown as StrategicPatchError;
    expect({ code: error.code, status: error.status, message: error.message }).toEqual({
      code: testCase.code,
      status: testCase.status,
      message: testCase.message,
    });
  });
});

describe('inputs', () => {
  const deepFreeze = <T>(value: T): T => {
    if (typeof value === 'object' && value !== null) {
      for (const child of Object.values(value)) deepFreeze(child);
      Object.freeze(value);
    }
    return value;
  };

  it('leaves the live object and the patch as they were', () => {
    const live = {
      metadata: { name: 'web', labels: { a: '1' }, finalizers: ['x', 'y'] },
      spec: {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
        template: {
          spec: {
            containers: [
              {
                name: 'a',
                ports: [{ containerPort: 80 }, { containerPort: 443 }],
                env: [{ name: 'A', value: '1' }],
              },
              { name: 'b', image: 'b' },
              { name: 'c' },
            ],
            volumes: [{ name: 'v', emptyDir: {} }],
          },
        },
      },
    };
    const patch = {
      metadata: { labels: { a: null, b: '2' }, '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: {
        strategy: { $retainKeys: ['type'], type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'd' }],
            containers: [
              {
                name: 'a',
                '$setElementOrder/ports': [{ containerPort: 80 }],
                ports: [{ containerPort: 443, $patch: 'delete' }],
              },
              { name: 'b', $patch: 'delete' },
              { name: 'd', image: 'd' },
            ],
            volumes: [{ name: 'v', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }],
          },
        },
      },
    };
    const liveBefore = structuredClone(live);
    const patchBefore = structuredClone(patch);

    const result = strategicMergePatch(deepFreeze(live), deepFreeze(patch), deployment);

    expect(live).toEqual(liveBefore);
    expect(patch).toEqual(patchBefore);
    expect(result).toEqual({
      metadata: { name: 'web', labels: { b: '2' }, finalizers: ['y'] },
      spec: {
        strategy: { type: 'Recreate' },
        template: {
          spec: {
            containers: [
              { name: 'c' },
              { name: 'a', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] },
              { name: 'd', image: 'd' },
            ],
            volumes: [{ name: 'v', configMap: { name: 'cm' } }],
          },
        },
      },
    });
  });

  it('treats a null patch as an empty one', () => {
    expect(strategicMergePatch({ metadata: { name: 'a' } }, null, deployment)).toEqual({
      metadata: { name: 'a' },
    });
  });
});
