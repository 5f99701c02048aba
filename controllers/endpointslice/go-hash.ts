/**
 * The orders Kubernetes gives endpoint ports and subsets come from hashes of Go values: upstream dumps
 * the Go struct with go-spew (`%#v`, the configuration of k8s.io/utils/dump.ForHash) and sorts by the
 * md5 (Endpoints subsets and their ports) or fnv-128a (EndpointSlice ports) of that text. To put ports
 * and subsets in the order a user of Kubernetes sees, this file writes the same text for the few
 * structs involved and hashes it the same way.
 *
 * The dump of a core/v1 EndpointPort `{name: 'http', port: 80, protocol: 'TCP'}` is
 *
 *   (v1.EndpointPort){Name:(string)http Port:(int32)80 Protocol:(v1.Protocol)TCP AppProtocol:(*string)<nil>}
 *
 * go-spew's rules, as far as these structs need them: a value is prefixed with its Go type in
 * parentheses, except the elements of a slice; struct fields print as `Name:value`, space-separated, in
 * declaration order; strings print raw; a pointer prints as `(*T)` and then its target (or `<nil>`); a
 * nil slice is `<nil>`, any other `[a b]`. Test vectors in endpointslice.test.ts came from Go itself.
 */
import { createHash } from 'node:crypto';
import type { EndpointAddress, EndpointPort, EndpointSlicePort, EndpointSubset } from './types.js';

const nil = '<nil>';

function stringPointer(value: string | undefined, type = 'string'): string {
  return `(*${type})${value ?? nil}`;
}

function coreAddress(address: EndpointAddress): string {
  const reference = address.targetRef;
  const target =
    reference === undefined
      ? `(*v1.ObjectReference)${nil}`
      : `(*v1.ObjectReference){Kind:(string)${reference.kind ?? ''} Namespace:(string)${reference.namespace ?? ''}` +
        ` Name:(string)${reference.name ?? ''} UID:(types.UID)${reference.uid ?? ''}` +
        ` APIVersion:(string)${reference.apiVersion ?? ''} ResourceVersion:(string)${reference.resourceVersion ?? ''}` +
        ` FieldPath:(string)${reference.fieldPath ?? ''}}`;
  return (
    `{IP:(string)${address.ip} Hostname:(string)${address.hostname ?? ''}` +
    ` NodeName:${stringPointer(address.nodeName)} TargetRef:${target}}`
  );
}

function corePortFields(port: EndpointPort): string {
  return (
    `{Name:(string)${port.name ?? ''} Port:(int32)${port.port} Protocol:(v1.Protocol)${port.protocol ?? ''}` +
    ` AppProtocol:${stringPointer(port.appProtocol)}}`
  );
}

function slice<T>(type: string, items: readonly T[] | undefined, dump: (item: T) => string): string {
  // An absent list is Go's nil slice; the controllers never make empty non-nil ones here.
  return items === undefined ? `(${type})${nil}` : `(${type})[${items.map(dump).join(' ')}]`;
}

/** go-spew's `%#v` of a core/v1 EndpointPort. */
export function dumpEndpointPort(port: EndpointPort): string {
  return `(v1.EndpointPort)${corePortFields(port)}`;
}

/** go-spew's `%#v` of a core/v1 EndpointSubset. */
export function dumpEndpointSubset(subset: EndpointSubset): string {
  return (
    `(v1.EndpointSubset){Addresses:${slice('[]v1.EndpointAddress', subset.addresses, coreAddress)}` +
    ` NotReadyAddresses:${slice('[]v1.EndpointAddress', subset.notReadyAddresses, coreAddress)}` +
    ` Ports:${slice('[]v1.EndpointPort', subset.ports, corePortFields)}}`
  );
}

/** go-spew's `%#v` of a discovery/v1 EndpointPort (every field a pointer). */
export function dumpEndpointSlicePort(port: EndpointSlicePort): string {
  return (
    `(v1.EndpointPort){Name:${stringPointer(port.name)} Protocol:${stringPointer(port.protocol, 'v1.Protocol')}` +
    ` Port:${stringPointer(port.port === undefined ? undefined : String(port.port), 'int32')}` +
    ` AppProtocol:${stringPointer(port.appProtocol)}}`
  );
}

/** md5 of the text, as bytes (upstream compares the sums with bytes.Compare). */
export function md5Of(text: string): Buffer {
  return createHash('md5').update(text, 'utf8').digest();
}

const FNV128_OFFSET = 0x6c62272e07bb014262b821756295c58dn;
const FNV128_PRIME = 0x0000000001000000000000000000013bn;
const MASK_128 = (1n << 128n) - 1n;

/** Go's hash/fnv New128a over the text's UTF-8 bytes, as lowercase hex (32 digits). */
export function fnv128aHex(text: string): string {
  let hash = FNV128_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * FNV128_PRIME) & MASK_128;
  }
  return hash.toString(16).padStart(32, '0');
}
