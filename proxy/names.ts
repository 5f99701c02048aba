/**
 * Chain and set names, shaped as kube-proxy's nftables mode shapes them so `nft list table` reads the same:
 *
 *   service-ULMVA6XW-ns1/svc1/tcp/p80                    the Cluster-policy chain of a service port
 *   local-ULMVA6XW-ns1/svc1/tcp/p80                      its Local-policy chain
 *   external-ULMVA6XW-ns1/svc1/tcp/p80                   where NodePort / external IP traffic enters
 *   endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80    one endpoint's DNAT chain
 *   affinity-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80    one endpoint's ClientIP affinity set
 *
 * The 8 characters are the start of base32(sha256(the rest)): the name stays unique when a long one is cut
 * to length, and endpoints that differ in one digit look different at a glance. Namespace, service and
 * port names use [a-z0-9-], so with "/" as separator every name is a valid nft identifier.
 */
import { createHash } from 'node:crypto';
import { type EndpointModel, type ServicePortModel, servicePortKey } from './types.js';

/** kube-proxy keeps names within 128 characters, 16 of them for the prefix. */
const baseLengthMax = 128 - 16;

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (no padding needed: only the first characters are used). */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += base32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

function hashed(name: string): string {
  const hash = base32(createHash('sha256').update(name).digest()).slice(0, 8);
  const full = `${hash}-${name}`;
  return full.length > baseLengthMax ? `${full.slice(0, baseLengthMax - 3)}...` : full;
}

export function servicePortBase(servicePort: ServicePortModel): string {
  return hashed(servicePortKey(servicePort));
}

export function endpointBase(servicePort: ServicePortModel, endpoint: EndpointModel): string {
  return hashed(`${servicePortKey(servicePort)}__${endpoint.ip}/${endpoint.port}`);
}

export const clusterChainName = (servicePort: ServicePortModel) => `service-${servicePortBase(servicePort)}`;
export const localChainName = (servicePort: ServicePortModel) => `local-${servicePortBase(servicePort)}`;
export const externalChainName = (servicePort: ServicePortModel) =>
  `external-${servicePortBase(servicePort)}`;
export const endpointChainName = (servicePort: ServicePortModel, endpoint: EndpointModel) =>
  `endpoint-${endpointBase(servicePort, endpoint)}`;
export const affinitySetName = (servicePort: ServicePortModel, endpoint: EndpointModel) =>
  `affinity-${endpointBase(servicePort, endpoint)}`;
