/**
 * The order in which the scheduler walks nodes: round-robin across zones (upstream's nodeTree), so that
 * when it samples only the first N feasible nodes (percentageOfNodesToScore) those come from every zone,
 * not all from the zone listed first.
 *
 *   zone a: [a1, a2, a3]   zone b: [b1]   no zone: [n1, n2]
 *   → a1, b1, n1, a2, n2, a3
 *
 * Zones keep the order they were first seen in, nodes the order they were added. The flat list is
 * rebuilt only when a node is added, removed or changes zone — not when a node's pods change.
 */
import type { Node } from '../types.js';

export class NodeTree {
  readonly #zones = new Map<string, string[]>();
  readonly #zoneOf = new Map<string, string>();
  #list: string[] | undefined = [];

  get size(): number {
    return this.#zoneOf.size;
  }

  add(node: Node): void {
    const name = node.metadata?.name ?? '';
    const zone = zoneKey(node);
    const current = this.#zoneOf.get(name);
    if (current === zone) return;
    if (current !== undefined) this.remove(name);
    let names = this.#zones.get(zone);
    if (!names) this.#zones.set(zone, (names = []));
    names.push(name);
    this.#zoneOf.set(name, zone);
    this.#list = undefined;
  }

  remove(name: string): void {
    const zone = this.#zoneOf.get(name);
    if (zone === undefined) return;
    this.#zoneOf.delete(name);
    const names = this.#zones.get(zone)!;
    names.splice(names.indexOf(name), 1);
    if (names.length === 0) this.#zones.delete(zone);
    this.#list = undefined;
  }

  /** Node names, interleaved across zones. */
  list(): readonly string[] {
    if (this.#list) return this.#list;
    const zones = [...this.#zones.values()];
    const list: string[] = [];
    for (let index = 0; list.length < this.#zoneOf.size; index++) {
      for (const names of zones) {
        const name = names[index];
        if (name !== undefined) list.push(name);
      }
    }
    this.#list = list;
    return list;
  }
}

/** Region and zone together, as upstream's GetZoneKey (both the GA and the beta labels count). */
export function zoneKey(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const region =
    labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone =
    labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}
