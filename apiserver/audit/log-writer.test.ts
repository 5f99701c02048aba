import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from './event.js';
import { AuditLogWriter } from './log-writer.js';

const event = (auditID: string): AuditEvent => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID,
  stage: 'ResponseComplete',
  requestURI: '/api/v1/pods',
  verb: 'list',
  user: { username: 'alice', groups: [] },
  sourceIPs: ['127.0.0.1'],
  requestReceivedTimestamp: '2026-11-22T09:40:14.123000Z',
  stageTimestamp: '2026-11-22T09:40:14.124000Z',
});

describe('AuditLogWriter', () => {
  it('returns before writing, then writes the batch as JSON lines in one write', async () => {
    const writes: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        writes.push(String(chunk));
        callback();
      },
    });
    const writer = new AuditLogWriter({ stream });
    writer.write(event('a'));
    writer.write(event('b'));
    expect(writes).toEqual([]);
    await writer.close();
    expect(writes).toHaveLength(1);
    expect(
      writes[0]!
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).auditID),
    ).toEqual(['a', 'b']);
  });

  it('drops events rather than wait when the stream is too far behind', async () => {
    // A stream that never finishes a write: everything stays buffered in it.
    const stuck = new Writable({ highWaterMark: 1, write() {} });
    const writer = new AuditLogWriter({ stream: stuck, maxBufferedBytes: 10 });
    writer.write(event('first'));
    await new Promise((resolve) => setImmediate(resolve));
    writer.write(event('second'));
    expect(writer.dropped).toBe(1);
  });

  it('appends to a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-audit-'));
    try {
      const path = join(dir, 'audit.log');
      const writer = new AuditLogWriter({ path });
      writer.write(event('x'));
      await writer.close();
      const again = new AuditLogWriter({ path });
      again.write(event('y'));
      await again.close();
      const lines = (await readFile(path, 'utf8')).trim().split('\n');
      expect(lines.map((line) => JSON.parse(line).auditID)).toEqual(['x', 'y']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves a stream it does not own open', async () => {
    const stream = new PassThrough();
    const writer = new AuditLogWriter({ stream });
    writer.write(event('z'));
    await writer.close();
    expect(stream.writableEnded).toBe(false);
    expect(JSON.parse(String(stream.read())).auditID).toBe('z');
  });
});
