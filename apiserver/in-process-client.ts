import type { UserInfo } from '../api/auth.js';
import type { KubeObject } from '../api/resource.js';
import { forbidden, gone, notFound, type Status } from '../api/status.js';
import { HttpClient, type Transport } from '../client/http-client.js';
import { deepFreeze } from '../client/indexed-store.js';
import type { Watch, WatchEvent } from '../client/types.js';
import { parseRequestInfo } from './request-info.js';
import { parseSelectors, storeKey } from './rest-handler.js';
import type { ApiServer } from './server.js';
import { type OpenWatch, openWatch, type WatchSink } from './watch-handler.js';

/**
 * The in-process client: the same `KubeClient` as the HTTP one (it is the HTTP client with another
 * transport), for the components `skiff up` runs beside the API server. Requests go through the API
 * server's whole handler stack without a socket (fastify's inject); watches subscribe to the watch
 * cache directly and receive its objects without serialisation. Those objects are shared with the
 * cache and every other watcher, so they arrive frozen.
 *
 * Without `user` a request acts as the server's own loopback identity (system:apiserver, a
 * system:master). With one it acts as that user, as a component run on its own would with its own
 * credentials: requests impersonate it (which the loopback identity may), and watches are authorized
 * for it before they subscribe.
 */
export function createInProcessClient(
  server: ApiServer,
  options: { namespace?: string; user?: UserInfo } = {},
): HttpClient {
  const { user } = options;
  // The server adds system:authenticated to whoever is impersonated. Other groups go in one header:
  // inject joins repeated headers into one line, which would read as a single group "a,b".
  const groups = user?.groups.filter((group) => group !== 'system:authenticated') ?? [];
  if (groups.length > 1) throw new TypeError('an in-process client acts as a user of at most one group');
  const impersonation: Record<string, string> = user
    ? { 'impersonate-user': user.username, ...(groups[0] ? { 'impersonate-group': groups[0] } : {}) }
    : {};
  const transport: Transport = {
    async send(request) {
      const response = await server.app.inject({
        method: request.method as 'GET',
        url: request.path,
        headers: { ...request.headers, ...impersonation },
        ...(request.body !== undefined ? { payload: request.body } : {}),
      });
      const headers: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        headers[name] = typeof value === 'number' ? String(value) : value;
      }
      return { statusCode: response.statusCode, headers, text: response.payload };
    },
    watch: <T extends KubeObject>(path: string, signal: AbortSignal) =>
      openInProcessWatch<T>(server, path, signal, user),
  };
  return new HttpClient({
    connection: { server: 'http://in-process.invalid', namespace: options.namespace ?? 'default' },
    transport,
  });
}

async function openInProcessWatch<T extends KubeObject>(
  server: ApiServer,
  path: string,
  signal: AbortSignal,
  user: UserInfo | undefined,
): Promise<Watch<T>> {
  const url = new URL(path, 'http://in-process.invalid');
  const query = Object.fromEntries(url.searchParams) as Record<string, string | undefined>;
  const info = parseRequestInfo('GET', decodeURIComponent(url.pathname), query.watch);
  const store = info && server.stores.get(storeKey(info.group, info.version, info.resource));
  if (!info || !store) throw notFound({ group: info?.group ?? '', resource: info?.resource ?? '' }, '');
  if (user && server.authorizer) {
    const { decision, reason } = await server.authorizer.authorize({
      user,
      verb: 'watch',
      resourceRequest: true,
      apiGroup: info.group,
      apiVersion: info.version,
      resource: info.resource,
      ...(info.namespace ? { namespace: info.namespace } : {}),
      ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}),
    });
    if (decision !== 'allow') {
      throw forbidden(
        { group: info.group, resource: info.resource },
        '',
        `User "${user.username}" cannot watch resource "${info.resource}" in API group "${info.group}"${info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope'}${reason ? `: ${reason}` : ''}`,
      );
    }
  }
  const watch = new QueueWatch<T>();
  const open = await openWatch(
    {
      store,
      ...(store.resource.namespaced && info.namespace ? { namespace: info.namespace } : {}),
      ...parseSelectors(store, query),
      ...(query.resourceVersion !== undefined ? { resourceVersion: query.resourceVersion } : {}),
      ...(query.timeoutSeconds ? { timeoutSeconds: Number(query.timeoutSeconds) } : {}),
      allowBookmarks: query.allowWatchBookmarks === 'true',
      ...(query.sendInitialEvents !== undefined
        ? { sendInitialEvents: query.sendInitialEvents === 'true' }
        : {}),
      currentRevision: () => server.currentRevision(),
    },
    watch.sink,
  );
  if (!open) {
    // The same answer the HTTP watch gives: one ERROR event, then the end.
    watch.fail(gone(`too old resource version: ${query.resourceVersion}`).status);
  } else watch.attach(open);
  if (signal.aborted) watch.close();
  signal.addEventListener('abort', () => watch.close(), { once: true });
  return watch;
}

/** A watch fed synchronously by the cache and read with `for await`; the writer never waits. */
class QueueWatch<T extends KubeObject> implements Watch<T> {
  #queue: WatchEvent<T>[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  #open: OpenWatch | undefined;

  readonly sink: WatchSink = {
    send: (type, object) => {
      if (this.#ended) return;
      this.#queue.push({ type, object: deepFreeze(object) } as WatchEvent<T>);
      this.#wake?.();
    },
    end: () => {
      this.#ended = true;
      this.#wake?.();
    },
  };

  /** Ends the watch with one ERROR event carrying `status`. */
  fail(status: Status): void {
    this.#queue.push({ type: 'ERROR', object: status });
    this.sink.end();
  }

  attach(open: OpenWatch): void {
    this.#open = open;
  }

  close(): void {
    this.#open?.close();
    this.sink.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    try {
      for (;;) {
        const event = this.#queue.shift();
        if (event) {
          yield event;
          continue;
        }
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    } finally {
      this.close();
    }
  }
}
