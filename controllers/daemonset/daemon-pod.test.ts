import { describe, expect, it } from 'vitest';
import type { Pod } from '../pods.js';
import {
  createPodTemplate,
  isPodUpdated,
  replaceNodeNameNodeAffinity,
  targetNodeName,
  templateGeneration,
} from './daemon-pod.js';

const pinned = (values: string[]) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values }] }],
    },
  },
});

describe('the daemon pod', () => {
  it('gets the revision labels, and tolerations replace an equal one that had tolerationSeconds', () => {
    const template = createPodTemplate(
      {
        metadata: { labels: { app: 'agent' } },
        spec: {
          tolerations: [
            {
              key: 'node.kubernetes.io/unreachable',
              operator: 'Exists',
              effect: 'NoExecute',
              tolerationSeconds: 5,
            },
          ],
        },
      },
      3,
      'abc',
    );
    expect(template.metadata?.labels).toEqual({
      app: 'agent',
      'pod-template-generation': '3',
      'controller-revision-hash': 'abc',
    });
    const tolerations = (template.spec as { tolerations: unknown[] }).tolerations;
    expect(tolerations[0]).toEqual({
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
    });
    expect(tolerations).toHaveLength(6);
  });

  it('is pinned by replacing the required terms, whatever they were', () => {
    expect(replaceNodeNameNodeAffinity(undefined, 'n1')).toEqual(pinned(['n1']));
    expect(replaceNodeNameNodeAffinity({ podAntiAffinity: { x: 1 } }, 'n1')).toEqual({
      podAntiAffinity: { x: 1 },
      ...pinned(['n1']),
    });
    expect(replaceNodeNameNodeAffinity(pinned(['n0']), 'n1')).toEqual(pinned(['n1']));
  });

  it('names its node by nodeName, else by its one-value metadata.name term', () => {
    expect(targetNodeName({ spec: { nodeName: 'n2', affinity: pinned(['n1']) } } as Pod)).toBe('n2');
    expect(targetNodeName({ spec: { affinity: pinned(['n1']) } } as Pod)).toBe('n1');
    expect(targetNodeName({ spec: { affinity: pinned(['n1', 'n2']) } } as Pod)).toBeUndefined();
    expect(targetNodeName({ spec: {} } as Pod)).toBeUndefined();
  });

  it('is up to date by hash or by template generation', () => {
    const pod = (labels: Record<string, string>) => ({ metadata: { labels } }) as Pod;
    expect(isPodUpdated(pod({ 'controller-revision-hash': 'abc' }), 'abc', undefined)).toBe(true);
    expect(isPodUpdated(pod({ 'pod-template-generation': '2' }), 'abc', 2)).toBe(true);
    expect(
      isPodUpdated(pod({ 'controller-revision-hash': 'old', 'pod-template-generation': '1' }), 'abc', 2),
    ).toBe(false);
    expect(isPodUpdated(pod({}), '', undefined)).toBe(false);
  });

  it('takes the template generation from the deprecated annotation, else the generation', () => {
    const annotated = {
      metadata: { generation: 5, annotations: { 'deprecated.daemonset.template.generation': '3' } },
    };
    expect(templateGeneration(annotated)).toBe(3);
    expect(templateGeneration({ metadata: { generation: 5 } })).toBe(5);
    expect(
      templateGeneration({ metadata: { annotations: { 'deprecated.daemonset.template.generation': 'x' } } }),
    ).toBeUndefined();
  });
});
