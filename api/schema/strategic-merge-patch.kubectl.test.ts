import { describe, expect, it } from 'vitest';
import '../types/index.js';
import { strategicMergePatch } from './strategic-merge-patch.js';

/**
 * The patches `kubectl apply` (client-side, 1.27 – 1.33) sends for the four manifest edits of the apply
 * issue, recorded from kubectl with -v=8 (less the last-applied annotation), applied to the Deployment
 * as stored (defaults in): each must change exactly what the manifest changed.
 */
interface Container {
  name: string;
  image: string;
  ports?: { containerPort: number; protocol: string }[];
  env?: { name: string; value: string }[];
  imagePullPolicy: string;
}

const web = (changes: Partial<Container> = {}): Container => ({
  name: 'web',
  image: 'nginx:1.27',
  ports: [
    { containerPort: 80, protocol: 'TCP' },
    { containerPort: 443, protocol: 'TCP' },
  ],
  env: [{ name: 'MODE', value: 'fast' }],
  imagePullPolicy: 'IfNotPresent',
  ...changes,
});
const sidecar: Container = { name: 'sidecar', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent' };
const stored = (...containers: Container[]) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'x', namespace: 'default', resourceVersion: '7' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'x' } },
    template: {
      metadata: { labels: { app: 'x' } },
      spec: { containers, restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
    },
  },
});
const podSpecPatch = (spec: Record<string, unknown>) => ({ spec: { template: { spec } } });

describe('the strategic merge patches kubectl apply sends', () => {
  it.each([
    {
      edit: 'change the image',
      live: stored(web({ image: 'nginx:1.25' }), sidecar),
      patch: podSpecPatch({
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
        containers: [{ image: 'nginx:1.27', name: 'web' }],
      }),
      expected: stored(web(), sidecar),
    },
    {
      edit: 'remove a port',
      live: stored(web(), sidecar),
      patch: podSpecPatch({
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
        containers: [
          {
            '$setElementOrder/ports': [{ containerPort: 80 }],
            name: 'web',
            ports: [{ $patch: 'delete', containerPort: 443 }],
          },
        ],
      }),
      expected: stored(web({ ports: [{ containerPort: 80, protocol: 'TCP' }] }), sidecar),
    },
    {
      edit: 'add an env var',
      live: stored(web(), sidecar),
      patch: podSpecPatch({
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
        containers: [
          {
            '$setElementOrder/env': [{ name: 'MODE' }, { name: 'LEVEL' }],
            env: [{ name: 'LEVEL', value: '3' }],
            name: 'web',
          },
        ],
      }),
      expected: stored(
        web({
          env: [
            { name: 'MODE', value: 'fast' },
            { name: 'LEVEL', value: '3' },
          ],
        }),
        sidecar,
      ),
    },
    {
      edit: 'reorder the containers',
      live: stored(web(), sidecar),
      patch: podSpecPatch({ '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }] }),
      expected: stored(sidecar, web()),
    },
  ])('$edit', ({ live, patch, expected }) => {
    expect(strategicMergePatch(live, patch, 'io.k8s.api.apps.v1.Deployment')).toEqual(expected);
  });
});
