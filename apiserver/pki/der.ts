/**
 * Just enough ASN.1 DER to write X.509 certificates and read back the few fields Skiff needs from them.
 * Node's crypto makes keys and signatures but not certificates, and a dependency for this is more code
 * than the encoder.
 *
 * Every value is a TLV: one tag byte, a length, the content. A length below 128 is one byte; longer
 * ones are 0x80 | (number of length bytes), then the length big-endian:
 *
 *   INTEGER 5           → 02 01 05
 *   INTEGER 128         → 02 02 00 80   (a leading 00 keeps it positive)
 *   SEQUENCE of 300 B   → 30 82 01 2c …
 */

export const tags = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  objectIdentifier: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with any tag (context-specific tags are 0x80 | n, constructed ones 0xa0 | n). */
export function element(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export const der = {
  sequence: (...items: readonly Buffer[]) => element(tags.sequence, Buffer.concat(items)),
  /** SET OF: DER orders the members by their encodings. */
  setOf: (...items: readonly Buffer[]) => element(tags.set, Buffer.concat([...items].sort(Buffer.compare))),
  boolean: (value: boolean) => element(tags.boolean, Buffer.from([value ? 0xff : 0x00])),
  null: () => element(tags.null, Buffer.alloc(0)),
  /** A non-negative integer, from a number, a bigint or its big-endian bytes. */
  integer(value: number | bigint | Uint8Array): Buffer {
    let bytes: Buffer;
    if (value instanceof Uint8Array) bytes = Buffer.from(value);
    else {
      let hex = BigInt(value).toString(16);
      if (hex.length % 2 === 1) hex = `0${hex}`;
      bytes = Buffer.from(hex, 'hex');
    }
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    bytes = bytes.subarray(start);
    if (bytes.length === 0) bytes = Buffer.from([0]);
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return element(tags.integer, bytes);
  },
  objectIdentifier(dotted: string): Buffer {
    const arcs = dotted.split('.').map((arc) => BigInt(arc));
    if (arcs.length < 2) throw new Error(`object identifier ${dotted} needs two arcs`);
    const bytes = [...base128(arcs[0]! * 40n + arcs[1]!)];
    for (const arc of arcs.slice(2)) bytes.push(...base128(arc));
    return element(tags.objectIdentifier, Buffer.from(bytes));
  },
  utf8String: (text: string) => element(tags.utf8String, Buffer.from(text, 'utf8')),
  ia5String: (text: string) => element(tags.ia5String, Buffer.from(text, 'ascii')),
  octetString: (bytes: Uint8Array) => element(tags.octetString, bytes),
  /** A BIT STRING; `unusedBits` counts the padding bits at the end of the last byte. */
  bitString: (bytes: Uint8Array, unusedBits = 0) =>
    element(tags.bitString, Buffer.concat([Buffer.from([unusedBits]), bytes])),
  /** X.509 validity times: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
  time(date: Date): Buffer {
    const iso = date.toISOString(); // 2026-11-22T10:00:00.000Z
    const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
    const year = date.getUTCFullYear();
    if (year >= 1950 && year < 2050) return element(tags.utcTime, Buffer.from(digits.slice(2), 'ascii'));
    return element(tags.generalizedTime, Buffer.from(digits, 'ascii'));
  },
  /** [n] EXPLICIT: the whole inner encoding wrapped in a constructed context tag. */
  explicit: (n: number, inner: Buffer) => element(0xa0 | n, inner),
  /** [n] IMPLICIT on a primitive: the inner content under a context tag. */
  implicit: (n: number, content: Uint8Array) => element(0x80 | n, content),
};

function base128(value: bigint): number[] {
  const bytes = [Number(value & 0x7fn)];
  for (let rest = value >> 7n; rest > 0n; rest >>= 7n) bytes.unshift(Number(rest & 0x7fn) | 0x80);
  return bytes;
}

// ---- reading ----

export interface DerElement {
  readonly tag: number;
  readonly content: Buffer;
  /** The element's whole encoding, tag and length included. */
  readonly encoded: Buffer;
}

/** The element starting at `offset`; throws on a truncated or indefinite-length encoding. */
export function readElement(buffer: Buffer, offset = 0): DerElement {
  if (offset + 2 > buffer.length) throw new Error('DER: truncated element');
  const tag = buffer[offset]!;
  let length = buffer[offset + 1]!;
  let headerLength = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error('DER: unsupported length');
    if (offset + 2 + count > buffer.length) throw new Error('DER: truncated length');
    length = 0;
    for (let index = 0; index < count; index++) length = length * 256 + buffer[offset + 2 + index]!;
    headerLength += count;
  }
  const end = offset + headerLength + length;
  if (end > buffer.length) throw new Error('DER: truncated content');
  return {
    tag,
    content: buffer.subarray(offset + headerLength, end),
    encoded: buffer.subarray(offset, end),
  };
}

/** The elements inside a constructed element (a SEQUENCE, a SET, an explicit tag). */
export function readChildren(parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = 0; offset < parent.content.length; ) {
    const child = readElement(parent.content, offset);
    children.push(child);
    offset += child.encoded.length;
  }
  return children;
}

export function decodeObjectIdentifier(content: Buffer): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const [first = 0n, ...rest] = arcs;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...rest].join('.');
}
