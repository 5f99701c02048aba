import type { ServerResponse } from 'node:http';
import type { FieldSelector } from '../api/fields.js';
import type { Selector } from '../api/labels.js';
import type { KubeObject } from '../api/resource.js';
import { gone } from '../api/status.js';
import type { ResourceStore } from './resource-store.js';
import { parseResourceVersion } from './resource-store.js';
import { columnDefinitions, type IncludeObject, tableRow } from './table.js';
import type { CacheEvent, CacheWatcher, EventType } from './watch-cache.js';

/**
 * A watch: its semantics in `openWatch`, for any sink (the in-process client's queue), and its HTTP
 * form in `serveWatch`: one JSON object per line, `{"type":"ADDED","object":{…}}` (or length-prefixed
 * protobuf frames, or one-row Tables), until `timeoutSeconds` pass, the client goes away, or the client
 * falls too far behind (its connection is closed; it resumes from the last resourceVersion it saw, as
 * every Kubernetes client does).
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
  /** The current store revision, for a watch that must start from the latest state. */
  readonly currentRevision: () => Promise<number>;
}

export interface HttpWatchRequest extends WatchRequest {
  /** A Table version when the client asked for Table events. */
  readonly table?: { version: string; include: IncludeObject };
  /** Protobuf frames instead of JSON lines (clients that prefer protobuf). */
  readonly protobuf?: boolean;
}

export type WatchEventType = EventType | 'BOOKMARK';

/** Where a watch's events go. `event` is the cache's, when there is one, for serialising it once. */
export interface WatchSink {
  send(type: WatchEventType, object: KubeObject, event?: CacheEvent): void;
  /** The watch is over (timeout, the cache stopped, or `close`); nothing more will be sent. */
  end(): void;
}

export interface OpenWatch {
  close(): void;
}

const BOOKMARK_INTERVAL_MS = 60_000;

/**
 * Subscribes `sink` to the resource's changes with Kubernetes' semantics, sending the initial and replayed
 * events synchronously before it returns. Returns undefined when the resourceVersion is too old (the
 * caller answers 410 Gone as its protocol does).
 */
export async function openWatch(request: WatchRequest, sink: WatchSink): Promise<OpenWatch | undefined> {
  const { store } = request;
  const cache = store.cache;
  const rv = request.resourceVersion;
  const fromRevision = rv === undefined || rv === '' || rv === '0' ? undefined : parseResourceVersion(rv);
  if (fromRevision === undefined && rv !== '0') await cache.waitUntilFresh(await request.currentRevision());
  else if (fromRevision !== undefined) await cache.waitUntilFresh(fromRevision);
  else await cache.ready();
  const initialEvents = request.sendInitialEvents ?? fromRevision === undefined;

  const prefix = store.prefixFor(request.namespace);
  // The cache holds the stored version; a watcher sees (and is filtered on) the version it asked for.
  const matches = (object: KubeObject | undefined) => object !== undefined && store.matches(object, request);
  let ended = false;
  const deliver = (event: CacheEvent) => {
    if (ended || !event.key.startsWith(prefix)) return;
    const object = store.present(event.object);
    const now = matches(object);
    const before = matches(event.previous && store.present(event.previous));
    if (event.type === 'DELETED') {
      if (now) sink.send('DELETED', object, event);
    } else if (now && before) sink.send('MODIFIED', object, event);
    else if (now) sink.send('ADDED', object, event);
    else if (before) sink.send('DELETED', object, event);
  };
  let timer: NodeJS.Timeout | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  const watcher: CacheWatcher = { onEvent: deliver, onEnd: () => close() };
  function close() {
    if (ended) return;
    ended = true;
    cache.unwatch(watcher);
    clearTimeout(timer);
    clearInterval(bookmarks);
    sink.end();
  }
  const subscribed = cache.watch(initialEvents ? undefined : fromRevision, watcher);
  if (!subscribed) return undefined;
  const bookmark = (annotations?: Record<string, string>) => {
    if (ended) return;
    sink.send('BOOKMARK', {
      kind: store.resource.kind,
      apiVersion: store.versionKey,
      metadata: { resourceVersion: String(cache.revision), ...(annotations ? { annotations } : {}) },
    });
  };
  for (const entry of subscribed.initial) {
    if (!entry.key.startsWith(prefix)) continue;
    const object = store.present(entry.object);
    if (matches(object)) sink.send('ADDED', object);
  }
  if (request.sendInitialEvents && request.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  for (const event of subscribed.replay) deliver(event);
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) {
    timer = setTimeout(close, request.timeoutSeconds * 1000);
  }
  if (request.allowBookmarks) bookmarks = setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS);
  return { close };
}

const protobufWatchMediaType = 'application/vnd.kubernetes.protobuf;stream=watch';

/** Unread bytes a client may leave in its socket before it is dropped; a writer never waits for it. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** The watch over HTTP: each event serialised once per format and version, shared by every watcher. */
export async function serveWatch(request: HttpWatchRequest, response: ServerResponse): Promise<void> {
  const { store } = request;
  const protobuf = request.protobuf === true && !request.table;
  const encodeProtobufWatchEvent = protobuf
    ? (await import('../api/schema/protobuf.js')).encodeProtobufWatchEvent
    : () => Buffer.alloc(0);
  let columnsSent = false;
  const encode = (type: WatchEventType, object: KubeObject, event?: CacheEvent): Buffer => {
    if (protobuf) {
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
  let open: OpenWatch | undefined;
  let ended = false;
  const sink: WatchSink = {
    send(type, object, event) {
      if (ended) return;
      if (!response.headersSent) writeHead();
      response.write(encode(type, object, event));
      // A client this far behind is dropped rather than waited for.
      if (response.writableLength > MAX_BUFFERED_BYTES) open?.close();
    },
    end() {
      if (ended) return;
      ended = true;
      if (!response.headersSent) writeHead();
      response.end();
    },
  };
  const writeHead = () =>
    response.writeHead(200, {
      'Content-Type': protobuf ? protobufWatchMediaType : 'application/json',
      'Transfer-Encoding': 'chunked',
    });
  open = await openWatch(request, sink);
  if (!open) {
    // As Kubernetes does: the watch opens, then says why it cannot go on; clients re-list.
    const status = gone(
      `too old resource version: ${request.resourceVersion} (${store.cache.windowStart})`,
    ).status;
    response.writeHead(200, { 'Content-Type': protobuf ? protobufWatchMediaType : 'application/json' });
    response.end(
      protobuf
        ? encodeProtobufWatchEvent(
            'ERROR',
            status as unknown as KubeObject,
            'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
          )
        : `{"type":"ERROR","object":${JSON.stringify(status)}}\n`,
    );
    return;
  }
  response.on('close', () => open?.close());
  // Headers go out now, so a client sees the watch open even before the first event.
  if (!response.headersSent) writeHead();
  (response as ServerResponse & { flushHeaders(): void }).flushHeaders();
}
