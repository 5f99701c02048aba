/**
 * Addresses for simulated nodes and their pods, from the node's index (so a restarted simulator gives
 * every node the same addresses again):
 *
 *   node 0    InternalIP 172.16.0.10    podCIDR 10.244.0.0/24   pods 10.244.0.2 … 10.244.0.254
 *   node 1    InternalIP 172.16.0.11    podCIDR 10.244.1.0/24
 *   node 300  InternalIP 172.16.1.54    podCIDR 10.245.44.0/24
 *
 * Pod CIDRs are consecutive /24s from 10.244.0.0 (10.244.0.0/14 holds 1,024 nodes; beyond, they run on
 * into 10.248.0.0 and up, still unique). A /24 gives 253 pod addresses, more than a node's 110 pods.
 */
const NODE_BASE = ipToNumber('172.16.0.10');
const POD_BASE = ipToNumber('10.244.0.0');
/** .0 is the network, .1 the bridge's gateway, .255 broadcast. */
const FIRST_HOST = 2;
const LAST_HOST = 254;
/** How many pods one node's range can address; the simulator refuses a larger `pods` capacity. */
export const POD_ADDRESSES_PER_NODE = LAST_HOST - FIRST_HOST + 1;

export function ipToNumber(ip: string): number {
  return ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

export function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function nodeAddressFor(index: number): string {
  return numberToIp(NODE_BASE + index);
}

export function podCIDRFor(index: number): string {
  return `${numberToIp(POD_BASE + index * 256)}/24`;
}

/**
 * One node's pod addresses. Addresses found on existing pods (after a restart) are marked taken before
 * any is handed out, so a new pod never gets a live pod's address.
 */
export class PodAddressPool {
  readonly #base: number;
  /** pod uid → last octet. */
  readonly #byPod = new Map<string, number>();
  readonly #taken = new Set<number>();
  #next = FIRST_HOST;

  constructor(podCIDR: string) {
    this.#base = ipToNumber(podCIDR.split('/')[0]!);
  }

  /** Records `ip` as `uid`'s (an address the pod already had). */
  markTaken(uid: string, ip: string): void {
    const host = ipToNumber(ip) - this.#base;
    if (host < FIRST_HOST || host > LAST_HOST || this.#byPod.has(uid)) return;
    this.#byPod.set(uid, host);
    this.#taken.add(host);
  }

  /** `uid`'s address, handing out a free one if it has none. */
  addressFor(uid: string): string {
    let host = this.#byPod.get(uid);
    if (host === undefined) {
      host = this.#free();
      this.#byPod.set(uid, host);
      this.#taken.add(host);
    }
    return numberToIp(this.#base + host);
  }

  release(uid: string): void {
    const host = this.#byPod.get(uid);
    if (host === undefined) return;
    this.#byPod.delete(uid);
    this.#taken.delete(host);
  }

  /** Round-robin from the last handed out, so a just-freed address is not reused at once. */
  #free(): number {
    const size = POD_ADDRESSES_PER_NODE;
    for (let step = 0; step < size; step++) {
      const host = FIRST_HOST + ((this.#next - FIRST_HOST + step) % size);
      if (!this.#taken.has(host)) {
        this.#next = host + 1 > LAST_HOST ? FIRST_HOST : host + 1;
        return host;
      }
    }
    // Unreachable while capacity.pods ≤ POD_ADDRESSES_PER_NODE (checked at start).
    throw new Error('the node has no free pod address left');
  }
}
