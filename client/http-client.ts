/**
 * `KubeClient` over HTTP, with undici: one keep-alive connection pool to the API server, JSON in and out,
 * watches streamed and parsed line by line as they arrive.
 *
 *   const client = HttpClient.fromKubeconfig();             // $KUBECONFIG or ~/.kube/config
 *   const pods = await client.list(refFor('Pod', 'default'));
 *   const watch = await client.watch(refFor('Pod', 'default'), { resourceVersion: pods.metadata.resourceVersion });
 *   for await (const event of watch) …
 *   await client.close();
 *
 * The pool has no connection limit: each open watch holds a connection for as long as it lasts, and must
 * not starve ordinary requests. An error answer is thrown as the StatusError its `Status` body describes
 * (a body that is not a Status becomes one with the reason its HTTP code implies, as client-go does).
 */
import { readFileSync } from 'node:fs';
import type { Dispatcher, Pool } from 'undici';
import type { KubeObject } from '../api/resource.js';
import { fromStatus, type Status, type StatusError, type StatusReason } from '../api/status.js';
import { ClientError } from './errors.js';
import { type Connection, type LoadKubeconfigOptions, loadKubeconfig } from './kubeconfig.js';
import { definitionForRef } from './refs.js';
import type {
  CreateOptions,
  DeleteCollectionOptions,
  DeleteOptions,
  GetOptions,
  KubeClient,
  ListOptions,
  ObjectList,
  PatchOptions,
  PatchType,
  ResourceRef,
  StatusSuccess,
  UpdateOptions,
  Watch,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './types.js';

export interface HttpClientOptions {
  readonly connection: Connection;
  /** How long an ordinary request may take (watches excepted). Default 60 s. */
  readonly requestTimeoutMs?: number;
  readonly userAgent?: string;
  /** Called with each warning the server sends (an unknown field under fieldValidation=Warn…). */
  readonly onWarning?: (warning: string) => void;
  /**
   * Another way to reach the server than a socket: the in-process client hands requests straight to
   * the API server's handler stack and subscribes watches to its watch cache. Request building, errors
   * and every other behaviour stay this class's, so both clients answer alike.
   */
  readonly transport?: Transport;
}

export interface TransportRequest {
  readonly method: Dispatcher.HttpMethod;
  /** Path and query string. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface TransportResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Opens a watch at `path` (with its query string); rejects with a StatusError when refused. */
  watch<T extends KubeObject>(path: string, signal: AbortSignal): Promise<Watch<T>>;
}

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** A token file is read again after this long, so a rotated token is picked up (client-go: one minute). */
const TOKEN_FILE_TTL_MS = 60_000;

type Query = Record<string, string | number | boolean | undefined>;

interface Send {
  readonly method: Dispatcher.HttpMethod;
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal | undefined;
}

export class HttpClient implements KubeClient {
  readonly #connection: Connection;
  /**
   * Made on first use, and undici itself loaded then: the in-process client never opens a socket, and
   * loading undici costs a process that does not need it ~100 ms and ~20 MB.
   */
  #pool: Promise<Pool> | undefined;
  readonly #origin: URL;
  readonly #requestTimeoutMs: number;
  readonly #userAgent: string;
  readonly #onWarning: ((warning: string) => void) | undefined;
  readonly #transport: Transport | undefined;
  readonly #watches = new Set<HttpWatch<KubeObject>>();
  #token: { value: string; readAt: number } | undefined;

  constructor(options: HttpClientOptions) {
    const { connection } = options;
    let origin: URL;
    try {
      origin = new URL(connection.server);
    } catch (error) {
      throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', `invalid server URL ${connection.server}`, {
        cause: error,
      });
    }
    this.#connection = connection;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#userAgent = options.userAgent ?? 'skiff-client/0.1.0';
    this.#onWarning = options.onWarning;
    this.#transport = options.transport;
    this.#origin = origin;
  }

  #connectionPool(): Promise<Pool> {
    const origin = this.#origin;
    const connection = this.#connection;
    this.#pool ??= import('undici').then(
      ({ Pool }) =>
        new Pool(origin.origin, {
          connections: null,
          ...(origin.protocol === 'https:'
            ? {
                connect: {
                  ...(connection.ca !== undefined ? { ca: connection.ca } : {}),
                  ...(connection.cert !== undefined ? { cert: connection.cert, key: connection.key } : {}),
                  ...(connection.tlsServerName !== undefined ? { servername: connection.tlsServerName } : {}),
                  rejectUnauthorized: connection.insecureSkipTlsVerify !== true,
                },
              }
            : {}),
        }),
    );
    return this.#pool;
  }

  /** A client for the kubeconfig's current (or given) context; see kubeconfig.ts for which file. */
  static fromKubeconfig(
    options: LoadKubeconfigOptions & Omit<HttpClientOptions, 'connection'> = {},
  ): HttpClient {
    return new HttpClient({ ...options, connection: loadKubeconfig(options) });
  }

  /** The default namespace of the kubeconfig context this client was made from. */
  get namespace(): string {
    return this.#connection.namespace;
  }

  async get<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    options: GetOptions = {},
  ): Promise<T> {
    return (await this.#send({
      method: 'GET',
      path: pathFor(ref, name, options.subresource),
      query: { resourceVersion: options.resourceVersion },
      signal: options.signal,
    })) as T;
  }

  async list<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const list = (await this.#send({
      method: 'GET',
      path: pathFor(ref),
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit,
        continue: options.continue,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
      },
      signal: options.signal,
    })) as { items?: T[] | null; metadata?: ObjectList['metadata'] };
    return { items: list.items ?? [], metadata: list.metadata ?? { resourceVersion: '' } };
  }

  async watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: WatchOptions = {},
  ): Promise<Watch<T>> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    const path =
      pathFor(ref) +
      queryString({
        watch: true,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: options.allowWatchBookmarks,
        timeoutSeconds: options.timeoutSeconds,
        sendInitialEvents: options.sendInitialEvents,
      });
    if (this.#transport) return this.#transport.watch<T>(path, controller.signal);
    let response: Dispatcher.ResponseData;
    try {
      response = await (await this.#connectionPool()).request({
        method: 'GET',
        path,
        headers: this.#headers(),
        signal: controller.signal,
        headersTimeout: this.#requestTimeoutMs,
        // A quiet watch is healthy: only the server's timeoutSeconds or the caller ends it.
        bodyTimeout: 0,
      });
    } catch (error) {
      options.signal?.removeEventListener('abort', abort);
      throw error;
    }
    this.#warn(response.headers);
    if (response.statusCode >= 300) {
      options.signal?.removeEventListener('abort', abort);
      throw statusErrorFrom(response.statusCode, await response.body.text());
    }
    const watch = new HttpWatch<T>(response.body, controller, () => {
      options.signal?.removeEventListener('abort', abort);
      this.#watches.delete(watch as unknown as HttpWatch<KubeObject>);
    });
    this.#watches.add(watch as unknown as HttpWatch<KubeObject>);
    return watch;
  }

  async create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options: CreateOptions = {},
  ): Promise<T> {
    const target = inNamespace(ref, object);
    const path =
      options.subresource === undefined
        ? pathFor(target)
        : pathFor(target, nameOf(object, 'create a subresource of'), options.subresource);
    return (await this.#send({
      method: 'POST',
      path,
      query: writeQuery(options),
      body: object,
      signal: options.signal,
    })) as T;
  }

  async update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    object: NoInfer<T>,
    options: UpdateOptions = {},
  ): Promise<T> {
    return (await this.#send({
      method: 'PUT',
      path: pathFor(inNamespace(ref, object), nameOf(object, 'update'), options.subresource),
      query: writeQuery(options),
      body: object,
      signal: options.signal,
    })) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: PatchOptions = {},
  ): Promise<T> {
    return (await this.#send({
      method: 'PATCH',
      path: pathFor(ref, name, options.subresource),
      query: { ...writeQuery(options), force: options.force },
      body: patch,
      contentType: patchContentTypes[patchType],
      signal: options.signal,
    })) as T;
  }

  async delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    options: DeleteOptions = {},
  ): Promise<T | StatusSuccess> {
    return (await this.#send({
      method: 'DELETE',
      path: pathFor(ref, name),
      body: deleteBody(options),
      signal: options.signal,
    })) as T | StatusSuccess;
  }

  async deleteCollection<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: DeleteCollectionOptions = {},
  ): Promise<ObjectList<T>> {
    const list = (await this.#send({
      method: 'DELETE',
      path: pathFor(ref),
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
      body: deleteBody(options),
      signal: options.signal,
    })) as { items?: T[] | null; metadata?: ObjectList['metadata'] };
    return { items: list.items ?? [], metadata: list.metadata ?? { resourceVersion: '' } };
  }

  /** Ends every open watch and closes the connections. */
  async close(): Promise<void> {
    for (const watch of [...this.#watches]) watch.close();
    if (this.#pool) await (await this.#pool).close();
  }

  async #send(request: Send): Promise<unknown> {
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers = {
      ...this.#headers(),
      ...(body !== undefined ? { 'content-type': request.contentType ?? 'application/json' } : {}),
    };
    const path = request.path + queryString(request.query ?? {});
    let response: TransportResponse;
    if (this.#transport) {
      response = await this.#transport.send({
        method: request.method,
        path,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
    } else {
      const answer = await (await this.#connectionPool()).request({
        method: request.method,
        path,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        headersTimeout: this.#requestTimeoutMs,
        bodyTimeout: this.#requestTimeoutMs,
      });
      response = { statusCode: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
    }
    this.#warn(response.headers);
    const text = response.text;
    if (response.statusCode >= 300) throw statusErrorFrom(response.statusCode, text);
    if (text === '') return {};
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ClientError(
        'SKIFF_ERR_BAD_RESPONSE',
        `${request.method} ${request.path}: the answer is not JSON: ${text.slice(0, 200)}`,
        { cause: error },
      );
    }
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.#userAgent };
    const token = this.#bearerToken();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    else if (this.#connection.username !== undefined) {
      const credentials = `${this.#connection.username}:${this.#connection.password ?? ''}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    return headers;
  }

  #bearerToken(): string | undefined {
    const { token, tokenFile } = this.#connection;
    if (token !== undefined) return token;
    if (tokenFile === undefined) return undefined;
    const now = Date.now();
    if (this.#token === undefined || now - this.#token.readAt > TOKEN_FILE_TTL_MS) {
      this.#token = { value: readFileSync(tokenFile, 'utf8').trim(), readAt: now };
    }
    return this.#token.value;
  }

  #warn(headers: Record<string, string | string[] | undefined>): void {
    const warning = headers.warning;
    if (warning === undefined || this.#onWarning === undefined) return;
    for (const value of [warning].flat()) this.#onWarning(warningText(value));
  }
}

/**
 * One watch's response body, read line by line. The iteration ends when the body ends (the server is
 * done) or the watch is closed; a connection that breaks is thrown.
 */
class HttpWatch<T extends KubeObject> implements Watch<T> {
  readonly #body: Dispatcher.ResponseData['body'];
  readonly #controller: AbortController;
  readonly #onClose: () => void;
  #closed = false;
  #iterating = false;

  constructor(body: Dispatcher.ResponseData['body'], controller: AbortController, onClose: () => void) {
    this.#body = body;
    this.#controller = controller;
    this.#onClose = onClose;
    controller.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.abort();
    this.#body.destroy();
    this.#onClose();
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    if (this.#iterating) {
      throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', 'a watch can be iterated only once');
    }
    this.#iterating = true;
    return this.#events();
  }

  async *#events(): AsyncGenerator<WatchEvent<T>> {
    let pending = '';
    try {
      this.#body.setEncoding('utf8');
      for await (const chunk of this.#body as AsyncIterable<string>) {
        pending += chunk;
        let start = 0;
        for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
          const line = pending.slice(start, newline);
          start = newline + 1;
          const event = parseWatchLine<T>(line);
          if (event) yield event;
          if (this.#closed) return;
        }
        pending = pending.slice(start);
      }
      const last = parseWatchLine<T>(pending);
      if (last) yield last;
    } catch (error) {
      if (this.#closed) return;
      throw error;
    } finally {
      this.close();
    }
  }
}

function parseWatchLine<T extends KubeObject>(line: string): WatchEvent<T> | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  let event: { type?: unknown; object?: unknown };
  try {
    event = JSON.parse(text);
  } catch (error) {
    throw new ClientError('SKIFF_ERR_BAD_RESPONSE', `a watch event is not JSON: ${text.slice(0, 200)}`, {
      cause: error,
    });
  }
  const { type, object } = event;
  if (
    typeof object !== 'object' ||
    object === null ||
    !['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'].includes(type as string)
  ) {
    throw new ClientError('SKIFF_ERR_BAD_RESPONSE', `not a watch event: ${text.slice(0, 200)}`);
  }
  return event as WatchEvent<T>;
}

/** `/api/v1/namespaces/default/pods/web/status`, `/apis/apps/v1/deployments`. */
export function pathFor(ref: ResourceRef, name?: string, subresource?: string): string {
  let path = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  if (ref.namespace !== undefined) path += `/namespaces/${encodeURIComponent(ref.namespace)}`;
  path += `/${ref.resource}`;
  if (name !== undefined) {
    if (name === '') throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', 'an object name must not be empty');
    path += `/${encodeURIComponent(name)}`;
  }
  if (subresource !== undefined) path += `/${subresource}`;
  return path;
}

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function writeQuery(options: WriteOptions): Query {
  return {
    dryRun: options.dryRun ? 'All' : undefined,
    fieldManager: options.fieldManager,
    fieldValidation: options.fieldValidation,
  };
}

function deleteBody(options: DeleteOptions): Record<string, unknown> {
  return {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
    ...(options.propagationPolicy !== undefined ? { propagationPolicy: options.propagationPolicy } : {}),
    ...(options.preconditions !== undefined ? { preconditions: options.preconditions } : {}),
    ...(options.dryRun ? { dryRun: ['All'] } : {}),
  };
}

/** The ref with the object's namespace when the ref has none and the resource is namespaced. */
function inNamespace(ref: ResourceRef, object: KubeObject): ResourceRef {
  if (ref.namespace !== undefined) return ref;
  const namespace = object.metadata?.namespace;
  if (namespace === undefined || definitionForRef(ref)?.namespaced === false) return ref;
  return { ...ref, namespace };
}

function nameOf(object: KubeObject, action: string): string {
  const name = object.metadata?.name;
  if (!name) {
    throw new ClientError('SKIFF_ERR_INVALID_ARGUMENT', `cannot ${action} an object without metadata.name`);
  }
  return name;
}

/** `299 - "unknown field \"spec.x\""` → `unknown field "spec.x"`. */
function warningText(header: string): string {
  const match = /^\d{3} \S+ ("(?:[^"\\]|\\.)*")/.exec(header);
  if (!match) return header;
  try {
    return JSON.parse(match[1]!) as string;
  } catch {
    return header;
  }
}

/** The reason client-go gives an error answer whose body is not a Status. */
const reasonByCode: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The StatusError an error answer describes. */
export function statusErrorFrom(code: number, body: string): StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const candidate = parsed as Partial<Status> | undefined;
  if (candidate?.kind === 'Status' && candidate.status === 'Failure') {
    return fromStatus({ ...(candidate as Status), code: candidate.code ?? code });
  }
  const reason = reasonByCode[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
  return fromStatus({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: body.trim() === '' ? `the server answered ${code}` : body.trim().slice(0, 1000),
    reason,
    code,
  });
}
