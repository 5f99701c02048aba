import type { ServerResponse } from 'node:http';
import type { FieldSelector } from '../api/fields.js';
import type { Selector } from '../api/labels.js';
import type { KubeObject } from '../api/resource.js';
import { encodeProtobufWatchEvent } from '../api/schema/protobuf.js';
import { gone } from '../api/status.js';
import type { ResourceStore } from './resource-store.js';
import { parseResourceVersion } from './resource-store.js';
import { columnDefinitions, type IncludeObject, tableRow } from './table.js';
import type { CacheEvent, CacheWatcher, EventType } from './watch-cache.js';

/**
 * A watch over HTTP: one JSON object per line, `{"type":"ADDED","object":{…}}`, until `timeoutSeconds`
 * pass, the client goes away, or the client falls too far behind (its connection is closed; it resumes
 * from the last resourceVersion it saw, as every Kubernetes client does).
 *
 * resourceVersion semantics (Kubernetes' own):
 *   absent or "0"  synthetic ADDED events for what exists now, then changes (absent: the current state;
 *                  "0": whatever the cache has, without waiting);
 *   "N"            changes after N only; 410 Gone once N has left the cache's window.
 * With a selector, an object that stops matching arrives as DELETED and one that starts matching as
 * ADDED, so the client's view is always exactly the matching set.
 */
export interface WatchRequest {
  readonly store: ResourceStore;
  readonly namespace?: string;
  readonly labelSelector?: Selector;
  readonly fieldSelector?: FieldSelector;
  readonly resourceVersion?: string;
  readonly timeoutSeconds?: number;
  readonly allowBookmarks: boolean;
  readonly sendInitialEvents?: boolean;
  /** A Table version when the client asked for Table events. */
  readonly table?: { version: string; include: IncludeObject };
  /** Protobuf frames instead of JSON lines (clients that prefer protobuf). */
  readonly protobuf?: boolean;
  /** The current store revision, for a watch that must start from the latest state. */
  readonly currentRevision: () => Promise<number>;
}

const protobufWatchMediaType = 'application/vnd.kubernetes.protobuf;stream=watch';

/** Unread bytes a client may leave in its socket before it is dropped; a writer never waits for it. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const BOOKMARK_INTERVAL_MS = 60_000;

export async function serveWatch(request: WatchRequest, response: ServerResponse): Promise<void> {
  const { store } = request;
  const cache = store.cache;
  const rv = request.resourceVersion;
  const fromRevision = rv === undefined || rv === '' || rv === '0' ? undefined : parseResourceVersion(rv);
  if (fromRevision === undefined && rv !== '0') await cache.waitUntilFresh(await request.currentRevision());
  else if (fromRevision !== undefined) await cache.waitUntilFresh(fromRevision);
  const initialEvents = request.sendInitialEvents ?? fromRevision === undefined;

  const prefix = store.prefixFor(request.namespace);
  // The cache holds the stored version; a watcher sees (and is filtered on) the version it asked for.
  const matches = (object: KubeObject | undefined) => object !== undefined && store.matches(object, request);
  let columnsSent = false;
  let ended = false;
  const line = (type: EventType | 'BOOKMARK', object: KubeObject, event?: CacheEvent): Buffer => {
    if (request.protobuf && !request.table) {
      const memoKey = `protobuf:${store.versionKey}:${type}`;
      const cached = event?.memo.get(memoKey);
      if (cached) return cached;
      const frame = encodeProtobufWatchEvent(type, object, store.resource.schema);
      event?.memo.set(memoKey, frame);
      return frame;
    }
    if (!request.table || type === 'BOOKMARK') {
      const memoKey = `json:${store.versionKey}:${type}`;
      const cached = event?.memo.get(memoKey);
      if (cached) return cached;
      const bytes = Buffer.from(`{"type":"${type}","object":${JSON.stringify(object)}}\n`);
      event?.memo.set(memoKey, bytes);
      return bytes;
    }
    const row = tableRow(store.resource, object, request.table.include, request.table.version, Date.now());
    const withColumns = !columnsSent;
    columnsSent = true;
    return Buffer.from(
      `${JSON.stringify({
        type,
        object: {
          kind: 'Table',
          apiVersion: `meta.k8s.io/${request.table.version}`,
          metadata: { resourceVersion: object.metadata?.resourceVersion },
          ...(withColumns ? { columnDefinitions: columnDefinitions(store.resource) } : {}),
          rows: [row],
        },
      })}\n`,
    );
  };
  const send = (bytes: Buffer) => {
    if (ended) return;
    response.write(bytes);
    if (response.writableLength > MAX_BUFFERED_BYTES) finish();
  };
  const deliver = (event: CacheEvent) => {
    if (!event.key.startsWith(prefix)) return;
    const object = store.present(event.object);
    const now = matches(object);
    const before = matches(event.previous && store.present(event.previous));
    if (event.type === 'DELETED') {
      if (now) send(line('DELETED', object, event));
    } else if (now && before) send(line('MODIFIED', object, event));
    else if (now) send(line('ADDED', object, event));
    else if (before) send(line('DELETED', object, event));
  };
  const watcher: CacheWatcher = { onEvent: deliver, onEnd: () => finish() };
  const subscribed = cache.watch(initialEvents ? undefined : fromRevision, watcher);
  if (!subscribed) {
    // As Kubernetes does: the watch opens, then says why it cannot go on; clients re-list.
    const status = gone(`too old resource version: ${fromRevision} (${cache.windowStart})`).status;
    if (request.protobuf && !request.table) {
      response.writeHead(200, { 'Content-Type': protobufWatchMediaType });
      response.end(
        encodeProtobufWatchEvent(
          'ERROR',
          status as unknown as KubeObject,
          'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
        ),
      );
    } else {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
    }
    return;
  }
  const bookmark = (extra: Record<string, string> = {}) => {
    const resourceVersion = String(cache.revision);
    send(
      line('BOOKMARK', {
        kind: store.resource.kind,
        apiVersion: store.resource.group ? `${store.resource.group}/${store.resource.version}` : 'v1',
        metadata: { resourceVersion, ...(Object.keys(extra).length ? { annotations: extra } : {}) },
      }),
    );
  };

  let timer: NodeJS.Timeout | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  function finish() {
    if (ended) return;
    ended = true;
    cache.unwatch(watcher);
    clearTimeout(timer);
    clearInterval(bookmarks);
    response.end();
  }
  response.on('close', finish);

  const contentType = request.protobuf && !request.table ? protobufWatchMediaType : 'application/json';
  response.writeHead(200, { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked' });
  for (const entry of subscribed.initial) {
    if (!entry.key.startsWith(prefix)) continue;
    const object = store.present(entry.object);
    if (matches(object)) send(line('ADDED', object));
  }
  if (request.sendInitialEvents && request.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  for (const event of subscribed.replay) deliver(event);
  // Headers go out now, so a client sees the watch open even before the first event.
  (response as ServerResponse & { flushHeaders(): void }).flushHeaders();
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) {
    timer = setTimeout(finish, request.timeoutSeconds * 1000);
  }
  if (request.allowBookmarks) bookmarks = setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS);
}
