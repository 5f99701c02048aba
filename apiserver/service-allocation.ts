/**
 * Cluster IPs and node ports for Services, allocated from the store.
 *
 * Each address or port in use is one key, made with the store's create-if-absent:
 *
 *   /registry/skiff/serviceips/10.96.0.10      {"namespace":"kube-system","name":"kube-dns","uid":"…"}
 *   /registry/skiff/servicenodeports/30080     {"namespace":"default","name":"web","uid":"…"}
 *
 * so two concurrent creates, or two API servers on one etcd, can never hold the same one, and after a
 * restart what is taken is simply what the store holds (upstream's newer allocator, one IPAddress object
 * per address, works the same way). A write claims its keys before the Service is written and gives them
 * back when that write fails; a crash in between leaves a key whose Service never came, which `repair`
 * frees (periodically, as upstream's repair controllers do; a key is freed only when two runs in a row
 * found it without its Service, so a write still in flight on another API server keeps its claim).
 *
 * A dynamic pick avoids the low end of each range, which is left for addresses and ports asked for by
 * value (10.96.0.1 for `kubernetes`, 10.96.0.10 for DNS), and falls back to it only when the rest is full.
 */

import { type FieldError, fieldError } from '../api/field-error.js';
import type { KubeObject } from '../api/resource.js';
import { internalError, invalid } from '../api/status.js';
import { needsClusterIP, needsNodePorts } from '../api/strategies/services.js';
import type { Store } from '../store/types.js';
import type { WriteClaims } from './resource-store.js';

export interface ServiceAllocationOptions {
  readonly store: Store;
  /** Default 10.96.0.0/12. */
  readonly serviceCIDR?: string;
  /** Default 30000–32767. */
  readonly nodePortRange?: { readonly first: number; readonly last: number };
}

/** Who holds a key: the Service by name and uid (a Service deleted and made again is another owner). */
interface Owner {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: { name?: string; nodePort?: number }[];
}

const ipPrefix = '/registry/skiff/serviceips/';
const portPrefix = '/registry/skiff/servicenodeports/';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const defaultServiceCIDR = '10.96.0.0/12';
export const defaultNodePortRange = { first: 30_000, last: 32_767 };

/** One range of numbers (addresses as integers, or ports), with its static low band. */
class Range {
  constructor(
    readonly first: number,
    readonly last: number,
    /** How many numbers at the start are kept for requests by value. */
    readonly staticBand: number,
  ) {}

  get size(): number {
    return this.last - this.first + 1;
  }

  contains(value: number): boolean {
    return value >= this.first && value <= this.last;
  }

  /** Candidates in the order a dynamic pick tries them: the upper band from a random point, then the lower. */
  *candidates(): Generator<number> {
    const upperFirst = Math.min(this.first + this.staticBand, this.last + 1);
    const upperSize = this.last - upperFirst + 1;
    const start = Math.floor(Math.random() * upperSize);
    for (let i = 0; i < upperSize; i++) yield upperFirst + ((start + i) % upperSize);
    for (let value = this.first; value < upperFirst; value++) yield value;
  }
}

/** Upstream's static band: a sixteenth (addresses) or thirty-second (ports) of the range, within bounds. */
function staticBand(size: number, step: number, max: number): number {
  return Math.min(Math.max(Math.floor(size / step), 16), max, size);
}

export function parseCIDR(cidr: string): { base: number; bits: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const bits = Number(match?.[5]);
  if (!match || octets.some((octet) => octet > 255) || bits < 8 || bits > 30) {
    throw new Error(`service CIDR ${cidr} is not an IPv4 CIDR between /8 and /30`);
  }
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - bits);
  return { base: address - (address % size), bits };
}

export function formatIP(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function parseIP(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255))
    return undefined;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

/** What one write of a Service claimed, and how it is settled once the write is known to have landed or not. */
interface Claimed {
  readonly ips: string[];
  readonly ports: number[];
}

export class ServiceAllocator implements WriteClaims {
  readonly serviceCIDR: string;
  readonly #store: Store;
  readonly #ips: Range;
  readonly #ports: Range;
  /** Keys claimed by writes still in flight here: repair must not free them. */
  readonly #inFlight = new Set<string>();
  /** Keys the last repair found without their Service (by key, at that modRevision). */
  #suspects = new Map<string, number>();

  constructor(options: ServiceAllocationOptions) {
    this.#store = options.store;
    this.serviceCIDR = options.serviceCIDR ?? defaultServiceCIDR;
    const { base, bits } = parseCIDR(this.serviceCIDR);
    const size = 2 ** (32 - bits);
    // The network and broadcast addresses are never handed out.
    this.#ips = new Range(base + 1, base + size - 2, staticBand(size, 16, 256));
    const ports = options.nodePortRange ?? defaultNodePortRange;
    this.#ports = new Range(ports.first, ports.last, staticBand(ports.last - ports.first + 1, 32, 128));
  }

  /** The first address of the range: the `kubernetes` Service's. */
  get firstIP(): string {
    return formatIP(this.#ips.first);
  }

  async claim(object: KubeObject, old: KubeObject | undefined) {
    const owner = ownerOf(object);
    const spec = (object.spec ??= {}) as ServiceSpec;
    const before = (old?.spec ?? {}) as ServiceSpec;
    const claimed: Claimed = { ips: [], ports: [] };
    try {
      await this.#claimClusterIP(owner, spec, before, claimed);
      await this.#claimNodePorts(owner, spec, before, claimed);
    } catch (error) {
      await this.#free(claimed);
      throw error;
    }
    return {
      // The write landed: what the old object held and the new one does not goes back.
      commit: async () => {
        this.#settled(claimed);
        if (old) await this.#free(leftBehind(before, spec));
      },
      abort: async () => {
        this.#settled(claimed);
        await this.#free(claimed);
      },
    };
  }

  async release(object: KubeObject): Promise<void> {
    await this.#free(heldBy((object.spec ?? {}) as ServiceSpec), ownerOf(object));
  }

  /**
   * Frees keys whose Service is gone or no longer holds them, and claims keys for what Services hold
   * without one (written before allocation existed, or restored from elsewhere). `services` is every
   * Service in the store. Returns how many keys it freed and claimed.
   */
  async repair(services: readonly KubeObject[]): Promise<{ freed: number; claimed: number }> {
    const wanted = new Map<string, Owner>();
    for (const service of services) {
      const held = heldBy((service.spec ?? {}) as ServiceSpec);
      for (const ip of held.ips) wanted.set(ipPrefix + ip, ownerOf(service));
      for (const port of held.ports) wanted.set(portPrefix + port, ownerOf(service));
    }
    let freed = 0;
    let claimed = 0;
    const suspects = new Map<string, number>();
    for (const prefix of [ipPrefix, portPrefix]) {
      for (const kv of await listAll(this.#store, prefix)) {
        const owner = JSON.parse(decoder.decode(kv.value)) as Owner;
        const expected = wanted.get(kv.key);
        if (expected && sameOwner(expected, owner)) {
          wanted.delete(kv.key);
          continue;
        }
        // Held by a Service that has another (restored from a backup, say): left alone, and not re-claimed.
        wanted.delete(kv.key);
        if (expected || this.#inFlight.has(kv.key)) continue;
        if (this.#suspects.get(kv.key) !== kv.modRevision) suspects.set(kv.key, kv.modRevision);
        else if ((await this.#store.delete(kv.key, kv.modRevision)).ok) freed++;
      }
    }
    this.#suspects = suspects;
    for (const [key, owner] of wanted) {
      if ((await this.#store.create(key, encodeOwner(owner))).ok) claimed++;
    }
    return { freed, claimed };
  }

  async #claimClusterIP(
    owner: Owner,
    spec: ServiceSpec,
    before: ServiceSpec,
    claimed: Claimed,
  ): Promise<void> {
    if (!needsClusterIP(spec)) return;
    const held = needsClusterIP(before) ? before.clusterIP : undefined;
    if (held && spec.clusterIP === held) return;
    if (spec.clusterIP) {
      const value = parseIP(spec.clusterIP);
      const field = 'spec.clusterIPs';
      const fail = (detail: string) =>
        invalidService(owner, fieldError.invalid(field, spec.clusterIPs ?? [spec.clusterIP!], detail));
      if (value === undefined || !this.#ips.contains(value)) {
        throw fail(
          `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${this.serviceCIDR}`,
        );
      }
      if (!(await this.#take(ipPrefix + spec.clusterIP, owner))) {
        throw fail(`failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`);
      }
      claimed.ips.push(spec.clusterIP);
      return;
    }
    for (const candidate of this.#ips.candidates()) {
      const ip = formatIP(candidate);
      if (await this.#take(ipPrefix + ip, owner)) {
        claimed.ips.push(ip);
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
        return;
      }
    }
    throw internalError('failed to allocate a serviceIP: range is full');
  }

  async #claimNodePorts(
    owner: Owner,
    spec: ServiceSpec,
    before: ServiceSpec,
    claimed: Claimed,
  ): Promise<void> {
    if (!needsNodePorts(spec)) return;
    const held = new Set(heldBy(before).ports);
    const ports = spec.ports ?? [];
    // A number asked for twice in one service (TCP and UDP on one node port) is claimed once.
    const mine = new Set<number>();
    const errors: FieldError[] = [];
    for (const [index, port] of ports.entries()) {
      if (!port.nodePort || held.has(port.nodePort) || mine.has(port.nodePort)) {
        if (port.nodePort) mine.add(port.nodePort);
        continue;
      }
      const field = `spec.ports[${index}].nodePort`;
      if (!this.#ports.contains(port.nodePort)) {
        errors.push(
          fieldError.invalid(
            field,
            port.nodePort,
            `provided port is not in the valid range. The range of valid ports is ${this.#ports.first}-${this.#ports.last}`,
          ),
        );
      } else if (await this.#take(portPrefix + port.nodePort, owner)) {
        claimed.ports.push(port.nodePort);
        mine.add(port.nodePort);
      } else errors.push(fieldError.invalid(field, port.nodePort, 'provided port is already allocated'));
    }
    if (errors.length > 0) throw invalidService(owner, ...errors);
    for (const port of ports) {
      if (port.nodePort) continue;
      const picked = await this.#pickPort(owner, new Set([...held, ...mine]));
      claimed.ports.push(picked);
      mine.add(picked);
      port.nodePort = picked;
    }
  }

  async #pickPort(owner: Owner, avoid: ReadonlySet<number>): Promise<number> {
    for (const candidate of this.#ports.candidates()) {
      if (!avoid.has(candidate) && (await this.#take(portPrefix + candidate, owner))) return candidate;
    }
    throw internalError('failed to allocate a nodePort: range is full');
  }

  async #take(key: string, owner: Owner): Promise<boolean> {
    this.#inFlight.add(key);
    const result = await this.#store.create(key, encodeOwner(owner));
    if (!result.ok) this.#inFlight.delete(key);
    return result.ok;
  }

  #settled(claimed: Claimed): void {
    for (const ip of claimed.ips) this.#inFlight.delete(ipPrefix + ip);
    for (const port of claimed.ports) this.#inFlight.delete(portPrefix + port);
  }

  /** Deletes the keys, each only if `owner` (when given) holds it: a key is never taken from another Service. */
  async #free(held: Claimed, owner?: Owner): Promise<void> {
    const keys = [...held.ips.map((ip) => ipPrefix + ip), ...held.ports.map((port) => portPrefix + port)];
    for (const key of keys) {
      this.#inFlight.delete(key);
      const kv = await this.#store.get(key);
      if (!kv) continue;
      if (owner && !sameOwner(owner, JSON.parse(decoder.decode(kv.value)) as Owner)) continue;
      await this.#store.delete(key, kv.modRevision);
    }
  }
}

/** The addresses and ports a Service of this spec holds. */
function heldBy(spec: ServiceSpec): Claimed {
  return {
    ips: needsClusterIP(spec) && spec.clusterIP && spec.clusterIP !== 'None' ? [spec.clusterIP] : [],
    ports: needsNodePorts(spec)
      ? [...new Set((spec.ports ?? []).map((port) => port.nodePort).filter((port): port is number => !!port))]
      : [],
  };
}

/** What `before` held that `after` no longer does. */
function leftBehind(before: ServiceSpec, after: ServiceSpec): Claimed {
  const was = heldBy(before);
  const is = heldBy(after);
  return {
    ips: was.ips.filter((ip) => !is.ips.includes(ip)),
    ports: was.ports.filter((port) => !is.ports.includes(port)),
  };
}

function ownerOf(object: KubeObject): Owner {
  const metadata = object.metadata ?? {};
  return { namespace: metadata.namespace ?? '', name: metadata.name ?? '', uid: metadata.uid ?? '' };
}

function sameOwner(a: Owner, b: Owner): boolean {
  return a.namespace === b.namespace && a.name === b.name && a.uid === b.uid;
}

function encodeOwner(owner: Owner): Uint8Array {
  return encoder.encode(JSON.stringify({ namespace: owner.namespace, name: owner.name, uid: owner.uid }));
}

function invalidService(owner: Owner, ...errors: FieldError[]) {
  return invalid({ group: '', kind: 'Service' }, owner.name, errors);
}

async function listAll(store: Store, prefix: string) {
  const items = [];
  let token: string | undefined;
  do {
    const page = await store.list({ prefix, limit: 1000, ...(token ? { continue: token } : {}) });
    items.push(...page.items);
    token = page.continue;
  } while (token);
  return items;
}
