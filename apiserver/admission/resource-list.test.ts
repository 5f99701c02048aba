import { describe, expect, it } from 'vitest';
import {
  addResourceLists,
  equalResourceLists,
  lessThanOrEqual,
  parseResourceList,
  podResources,
  prettyPrint,
  subtractNonNegative,
  toJSONResourceList,
} from './resource-list.js';

const list = (raw: Record<string, string | number>) => parseResourceList(raw);

describe('resource lists', () => {
  it('add exactly, keeping each side’s resources, and print sorted', () => {
    const sum = addResourceLists(list({ cpu: '500m', pods: '1' }), list({ cpu: '1.5', memory: '1Gi' }));
    expect(toJSONResourceList(sum)).toEqual({ cpu: '2', memory: '1Gi', pods: '1' });
    expect(prettyPrint(sum)).toBe('cpu=2,memory=1Gi,pods=1');
  });

  it('subtract without going below zero', () => {
    expect(
      toJSONResourceList(subtractNonNegative(list({ a: '1', b: '3' }), list({ a: '2', b: '1' }))),
    ).toEqual({
      a: '0',
      b: '2',
    });
  });

  it('compare against limits, naming what is over', () => {
    expect(
      lessThanOrEqual(list({ pods: '6', cpu: '1' }), list({ pods: '5', cpu: '1', memory: '1' })),
    ).toEqual({
      allowed: false,
      exceeded: ['pods'],
    });
    expect(equalResourceLists(list({ cpu: '1000m' }), list({ cpu: 1 }))).toBe(true);
  });

  it('skip what is not a quantity', () => {
    expect([...parseResourceList({ cpu: 'lots', memory: '1Mi' }).keys()]).toEqual(['memory']);
  });

  it('total a pod: containers summed, raised to the largest init container, sidecars running alongside', () => {
    const spec = {
      containers: [
        { resources: { requests: { cpu: '1' } } },
        { resources: { requests: { cpu: '1', memory: '1Gi' } } },
      ],
      initContainers: [
        { resources: { requests: { cpu: '500m' } }, restartPolicy: 'Always' },
        { resources: { requests: { cpu: '3', memory: '512Mi' } } },
      ],
      overhead: { cpu: '100m' },
    };
    expect(toJSONResourceList(podResources(spec, 'requests'))).toEqual({ cpu: '3500m', memory: '1Gi' });
    expect(toJSONResourceList(podResources(spec, 'requests', { overhead: true }))).toEqual({
      cpu: '3600m',
      memory: '1Gi',
    });
  });
});
