import type { WatchEvent } from './types.js';

/**
 * The on-disk form of one event: a 28-byte header, the key, the value.
 *
 *   byte 0      type (0 put, 1 delete)
 *   bytes 1-2   key length (uint16, big-endian)
 *   bytes 4-11  createRevision  (float64: revisions stay below 2^53)
 *   bytes 12-19 modRevision of the state carried (for a delete: the last put's)
 *   bytes 20-27 version
 *   then the key (ASCII) and the value
 *
 * The event's own revision is the record's LevelDB key, so it is not repeated here.
 */
const HEADER_BYTES = 28;

export function encodeEvent(event: WatchEvent): Uint8Array {
  const { kv } = event;
  const bytes = Buffer.allocUnsafe(HEADER_BYTES + kv.key.length + kv.value.byteLength);
  bytes.writeUInt8(event.type === 'put' ? 0 : 1, 0);
  bytes.writeUInt16BE(kv.key.length, 1);
  bytes.writeUInt8(0, 3);
  bytes.writeDoubleBE(kv.createRevision, 4);
  bytes.writeDoubleBE(kv.modRevision, 12);
  bytes.writeDoubleBE(kv.version, 20);
  bytes.write(kv.key, HEADER_BYTES, 'ascii');
  bytes.set(kv.value, HEADER_BYTES + kv.key.length);
  return bytes;
}

export function decodeEvent(revision: number, record: Uint8Array): WatchEvent {
  const bytes = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  const keyLength = bytes.readUInt16BE(1);
  const kv = {
    key: bytes.toString('ascii', HEADER_BYTES, HEADER_BYTES + keyLength),
    // A copy, so the value does not pin the whole read buffer.
    value: Uint8Array.prototype.slice.call(bytes, HEADER_BYTES + keyLength),
    createRevision: bytes.readDoubleBE(4),
    modRevision: bytes.readDoubleBE(12),
    version: bytes.readDoubleBE(20),
  };
  return { type: bytes.readUInt8(0) === 0 ? 'put' : 'delete', revision, kv };
}
