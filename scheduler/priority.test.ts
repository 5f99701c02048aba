import { expect, test } from 'vitest';
import type { Informer } from '../client/informer.js';
import { PriorityResolver } from './priority.js';
import { pod } from './testing/fixtures.js';
import type { PriorityClass } from './types.js';

/** An informer stand-in holding these classes (the resolver only reads its store). */
function classes(...items: PriorityClass[]): Informer<PriorityClass> {
  const byName = new Map(items.map((item) => [item.metadata!.name!, item]));
  return {
    store: { getByName: (_ns: string | undefined, name: string) => byName.get(name), list: () => items },
  } as unknown as Informer<PriorityClass>;
}
const priorityClass = (name: string, value: number, globalDefault = false): PriorityClass => ({
  metadata: { name },
  value,
  ...(globalDefault ? { globalDefault } : {}),
});

test.each([
  { name: 'the class named by priorityClassName', spec: { priorityClassName: 'high' }, want: 1000 },
  {
    name: 'a built-in system class',
    spec: { priorityClassName: 'system-node-critical' },
    want: 2_000_001_000,
  },
  {
    name: 'an unknown class falls back to spec.priority',
    spec: { priorityClassName: 'nope', priority: 7 },
    want: 7,
  },
  { name: 'a non-zero spec.priority as set', spec: { priority: 42 }, want: 42 },
  { name: 'no class and priority 0: the global default', spec: { priority: 0 }, want: 5 },
])('$name', ({ spec, want }) => {
  const resolver = new PriorityResolver(
    classes(priorityClass('high', 1000), priorityClass('everyone', 5, true)),
  );
  const target = pod('p');
  Object.assign(target.spec!, spec);
  expect(resolver.priorityOf(target)).toBe(want);
});

test('without a global default, priority 0 stays 0', () => {
  expect(new PriorityResolver(classes(priorityClass('high', 1000))).priorityOf(pod('p'))).toBe(0);
});
