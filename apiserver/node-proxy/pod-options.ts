/**
 * What the pod subresources served by nodes share, as upstream's pod strategy (pkg/registry/core/pod/
 * strategy.go) words it: which container a request means, the query read as PodLogOptions /
 * PodExecOptions, and a node's error answer turned into a Status (GenericHttpResponseChecker).
 */
import type { IncomingMessage } from 'node:http';
import { fieldError } from '../../api/field-error.js';
import { badRequest, fromStatus, internalError, invalid, type StatusError } from '../../api/status.js';

export interface PodLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly nodeName?: string;
    readonly containers?: readonly { readonly name?: string }[];
    readonly initContainers?: readonly { readonly name?: string }[];
    readonly ephemeralContainers?: readonly { readonly name?: string }[];
  };
}

/**
 * The container a request means: the one asked for, which must be in the pod; or, when none was asked
 * for, the pod's only container.
 *
 *   a container name must be specified for pod web, choose one of: [init app sidecar]
 *   container db is not valid for pod web
 */
export function validateContainer(container: string, pod: PodLike, name: string): string {
  const names = (list: readonly { readonly name?: string }[] | undefined) =>
    (list ?? []).map((c) => c.name ?? '');
  const containers = names(pod.spec?.containers);
  // Upstream lists them in the order it visits them: init containers, containers, ephemeral ones.
  const all = [...names(pod.spec?.initContainers), ...containers, ...names(pod.spec?.ephemeralContainers)];
  if (container === '') {
    if (containers.length === 1) return containers[0]!;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
  }
  if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** Query parameters as apimachinery converts them into an options struct. */
export class QueryParameters {
  readonly #query: URLSearchParams;

  constructor(url: string) {
    const index = url.indexOf('?');
    this.#query = new URLSearchParams(index < 0 ? '' : url.slice(index + 1));
  }

  string(name: string): string {
    return this.#query.get(name) ?? '';
  }

  strings(name: string): string[] {
    return this.#query.getAll(name);
  }

  /** Only absence, `false` and `0` are false (apimachinery's Convert_Slice_string_To_bool). */
  boolean(name: string): boolean {
    const value = this.#query.get(name);
    return value !== null && value !== 'false' && value !== '0';
  }

  /** An int64; absent or empty: undefined. */
  integer(name: string): number | undefined {
    const value = this.#query.get(name);
    if (value === null || value === '') return undefined;
    if (!/^[+-]?\d+$/.test(value))
      throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
    return Number(value);
  }

  /** An RFC 3339 time, as metav1.Time reads it from a query; absent or empty: undefined. */
  time(name: string): number | undefined {
    const value = this.#query.get(name);
    if (value === null || value === '') return undefined;
    const parsed = Date.parse(value);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) || Number.isNaN(parsed)) {
      throw badRequest(`parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
    }
    return parsed;
  }
}

export interface PodLogOptions {
  readonly container: string;
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly sinceSeconds?: number;
  readonly sinceTime?: number;
  readonly tailLines?: number;
  readonly limitBytes?: number;
}

/** PodLogOptions from the query, validated as upstream's ValidatePodLogOptions (422 PodLogOptions …). */
export function readPodLogOptions(url: string, podName: string): PodLogOptions {
  const query = new QueryParameters(url);
  const sinceSeconds = query.integer('sinceSeconds');
  const sinceTime = query.time('sinceTime');
  const tailLines = query.integer('tailLines');
  const limitBytes = query.integer('limitBytes');
  const errors = [];
  if (tailLines !== undefined && tailLines < 0) {
    errors.push(fieldError.invalid('tailLines', tailLines, 'must be greater than or equal to 0'));
  }
  if (limitBytes !== undefined && limitBytes < 1) {
    errors.push(fieldError.invalid('limitBytes', limitBytes, 'must be greater than 0'));
  }
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    errors.push(fieldError.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (sinceSeconds !== undefined && sinceSeconds < 1) {
    errors.push(fieldError.invalid('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  }
  if (errors.length > 0) throw invalid({ group: '', kind: 'PodLogOptions' }, podName, errors);
  return {
    container: query.string('container'),
    follow: query.boolean('follow'),
    previous: query.boolean('previous'),
    timestamps: query.boolean('timestamps'),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
    ...(sinceTime !== undefined ? { sinceTime } : {}),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

/** The kubelet's query for a log (upstream's LogLocation), keys in Go's sorted order. */
export function kubeletLogQuery(options: PodLogOptions): string {
  const query = new URLSearchParams();
  if (options.follow) query.set('follow', 'true');
  if (options.limitBytes !== undefined) query.set('limitBytes', String(options.limitBytes));
  if (options.previous) query.set('previous', 'true');
  if (options.sinceSeconds !== undefined) query.set('sinceSeconds', String(options.sinceSeconds));
  // RFC 3339 to the second, as upstream formats it.
  if (options.sinceTime !== undefined) {
    query.set('sinceTime', new Date(options.sinceTime).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  }
  if (options.tailLines !== undefined) query.set('tailLines', String(options.tailLines));
  if (options.timestamps) query.set('timestamps', 'true');
  query.sort();
  return query.toString();
}

/**
 * The kubelet's query for exec or attach (upstream's streamParams): `command` for each argument, and
 * `input`, `output`, `error`, `tty` as `1` for each stream asked for.
 */
export function kubeletStreamQuery(url: string, subresource: 'exec' | 'attach' | 'portforward'): string {
  const query = new QueryParameters(url);
  const out = new URLSearchParams();
  if (subresource === 'portforward') {
    const ports = query.strings('ports').flatMap((value) => value.split(','));
    if (ports.length > 0) out.set('port', ports.join(','));
    return out.toString();
  }
  if (subresource === 'exec')
    for (const argument of query.strings('command')) out.append('command', argument);
  if (query.boolean('stderr')) out.set('error', '1');
  if (query.boolean('stdin')) out.set('input', '1');
  if (query.boolean('stdout')) out.set('output', '1');
  if (query.boolean('tty')) out.set('tty', '1');
  return out.toString();
}

/** Most of a node's error body that goes into the Status (upstream reads at most this much). */
const maxErrorBody = 50_000;

/**
 * A node's non-2xx answer as the Status the client gets: 400 keeps the node's text as its message
 * (`previous terminated container "app" in pod "web" not found`), 500 is an internal error, and other
 * codes read as apimachinery's NewGenericServerResponse (`the server could not find the requested
 * resource ( pods/log web)`).
 */
export async function kubeletError(
  response: IncomingMessage,
  resource: string,
  name: string,
): Promise<StatusError> {
  const body = await readBody(response, maxErrorBody);
  const code = response.statusCode ?? 500;
  if (code === 400) return badRequest(body);
  if (code === 500) return internalError(body);
  return genericServerResponse(code, resource, name, body);
}

function genericServerResponse(code: number, resource: string, name: string, body: string): StatusError {
  const known: Record<number, [string, string]> = {
    401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
    403: ['Forbidden', body],
    404: ['NotFound', 'the server could not find the requested resource'],
    405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
    409: ['Conflict', 'the server reported a conflict'],
    429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
    503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
    504: [
      'Timeout',
      'the server was unable to return a response in the time allotted, but may still be processing the request',
    ],
  };
  let [reason, message] = known[code] ?? [
    undefined,
    `the server responded with the status code ${code} but did not return more information`,
  ];
  if (!known[code] && code >= 500) {
    reason = 'InternalError';
    message = `an error on the server (${JSON.stringify(body)}) has prevented the request from succeeding`;
  }
  // The verb is empty in upstream's call, hence the space after the parenthesis.
  return fromStatus({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${message} ( ${resource} ${name})`,
    ...(reason ? { reason: reason as never } : {}),
    details: { name, kind: resource },
    code,
  });
}

function readBody(response: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let length = 0;
    response.on('data', (chunk: Buffer) => {
      if (length < limit) parts.push(chunk);
      length += chunk.length;
    });
    const finish = () => resolve(Buffer.concat(parts).subarray(0, limit).toString('utf8'));
    response.once('end', finish);
    response.once('error', finish);
    response.once('close', finish);
  });
}
