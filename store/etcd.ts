import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { closed, compacted, futureRevision, StoreError, unavailable, valueTooLarge } from './errors.js';
import type {
  KeyValue,
  ListOptions,
  ListResult,
  ReadOptions,
  Store,
  WatchEvent,
  WatchOptions,
  WriteResult,
} from './types.js';
import { MAX_VALUE_BYTES } from './types.js';
import {
  checkKey,
  checkLimit,
  checkRevisionArgument,
  checkValue,
  decodeContinue,
  encodeContinue,
} from './validate.js';
import { DEFAULT_MAX_BUFFERED, WatchStream } from './watch-stream.js';

/**
 * Real etcd v3 (`etcd://127.0.0.1:2379,127.0.0.1:22379`): how Skiff grows past one machine, with several
 * API servers over one etcd cluster. Revisions are etcd's, compare-and-swap is a Txn on mod_revision, watch
 * is etcd's watch from a start revision, compaction is etcd's Compact. The client speaks etcd's gRPC API
 * directly (store/etcd.proto), so the error paths that matter here — a compacted watch, a progress
 * request — are handled in this file and nowhere else.
 */

// The wire shapes, as @grpc/proto-loader presents them with the options below (int64 as decimal strings).
interface WireKeyValue {
  key: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: Buffer;
}
interface WireHeader {
  revision: string;
}
interface RangeResponse {
  header: WireHeader;
  kvs: WireKeyValue[];
  more: boolean;
  count: string;
}
interface ResponseOp {
  response_range?: RangeResponse;
  response_put?: { header: WireHeader; prev_kv: WireKeyValue | null };
  response_delete_range?: { header: WireHeader; deleted: string; prev_kvs: WireKeyValue[] };
}
interface TxnResponse {
  header: WireHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}
interface WatchResponse {
  header: WireHeader;
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  events: { type: 'PUT' | 'DELETE'; kv: WireKeyValue; prev_kv: WireKeyValue | null }[];
}
type Unary<Request, Response> = (
  request: Request,
  callback: (error: grpc.ServiceError | null, response: Response) => void,
) => void;
interface KvClient extends grpc.Client {
  Range: Unary<object, RangeResponse>;
  Txn: Unary<object, TxnResponse>;
  Compact: Unary<object, { header: WireHeader }>;
}
interface WatchClient extends grpc.Client {
  Watch(): grpc.ClientDuplexStream<object, WatchResponse>;
}

const definition = protoLoader.loadSync(fileURLToPath(new URL('./etcd.proto', import.meta.url)), {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const etcdserverpb = grpc.loadPackageDefinition(definition).etcdserverpb as unknown as Record<
  'KV' | 'Watch',
  new (
    target: string,
    credentials: grpc.ChannelCredentials,
    options?: grpc.ChannelOptions,
  ) => grpc.Client
>;

const bytes = (text: string) => Buffer.from(text, 'ascii');
/** The end of the key range holding every key that starts with `prefix` ('/a/' → '/a0'). */
const prefixEnd = (prefix: string) =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

function toKeyValue(kv: WireKeyValue): KeyValue {
  return {
    key: kv.key.toString('ascii'),
    value: new Uint8Array(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
  };
}

/**
 * etcd reports these only as gRPC status details text (OutOfRange, code 11; InvalidArgument for size).
 * The official Go client matches the same strings; this is the one place Skiff does.
 */
function translate(error: grpc.ServiceError, revision: number, key?: string): Error {
  const details = error.details ?? '';
  if (details.includes('required revision has been compacted')) return compacted(revision);
  if (details.includes('required revision is a future revision')) return futureRevision(revision);
  if (details.includes('request is too large')) return valueTooLarge(key ?? '(request)', -1, MAX_VALUE_BYTES);
  return unavailable(`etcd: ${details || error.message}`, error);
}

export interface EtcdStoreOptions {
  /** host:port of each member. */
  readonly endpoints: readonly string[];
  /** Per-call deadline. */
  readonly timeoutMs?: number;
}

export class EtcdStore implements Store {
  readonly kind = 'etcd';
  readonly #kv: KvClient;
  readonly #watchClient: WatchClient;
  readonly #timeoutMs: number;
  readonly #streams = new Set<WatchStream>();
  /** The compaction point as far as this client knows: its own compactions and those it ran into. */
  #compactRevision = 0;
  #closed = false;

  constructor(options: EtcdStoreOptions) {
    if (options.endpoints.length === 0)
      throw new StoreError('SKIFF_ERR_INVALID_ARGUMENT', 'no etcd endpoints');
    // grpc-js's ipv4 resolver takes a list and fails over between members; a host name goes through DNS.
    const allIp = options.endpoints.every((endpoint) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(endpoint));
    const target = allIp ? `ipv4:${options.endpoints.join(',')}` : options.endpoints[0]!;
    const credentials = grpc.credentials.createInsecure();
    const channelOptions = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };
    this.#kv = new etcdserverpb.KV(target, credentials, channelOptions) as KvClient;
    this.#watchClient = new etcdserverpb.Watch(target, credentials, channelOptions) as WatchClient;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  // ---- reads ----

  async get(key: string, options: ReadOptions = {}): Promise<KeyValue | undefined> {
    checkKey(key);
    const revision = options.revision ?? 0;
    if (revision !== 0) checkRevisionArgument(revision, 'revision');
    const response = await this.#call(this.#kv.Range, { key: bytes(key), revision }, revision);
    const kv = response.kvs[0];
    return kv ? toKeyValue(kv) : undefined;
  }

  async list(options: ListOptions): Promise<ListResult> {
    const { prefix } = options;
    checkKey(prefix, 'prefix');
    const limit = checkLimit(options.limit);
    let revision = options.revision ?? 0;
    let from = prefix;
    if (options.continue !== undefined) {
      const point = decodeContinue(options.continue, prefix);
      revision = point.revision;
      from = point.next;
    } else if (revision !== 0) {
      checkRevisionArgument(revision, 'revision');
    }
    const response = await this.#call(
      this.#kv.Range,
      { key: bytes(from), range_end: bytes(prefixEnd(prefix)), limit, revision },
      revision,
    );
    // The header carries etcd's current revision even for a read at an older one.
    const readAt = revision > 0 ? revision : Number(response.header.revision);
    const items = response.kvs.map(toKeyValue);
    if (!response.more || items.length === 0) return { items, revision: readAt, remaining: 0 };
    // etcd's count is of the whole range, regardless of limit.
    const next = `${items[items.length - 1]!.key}\u0000`;
    return {
      items,
      revision: readAt,
      remaining: Number(response.count) - items.length,
      continue: encodeContinue({ revision: readAt, next }),
    };
  }

  async count(prefix: string): Promise<number> {
    checkKey(prefix, 'prefix');
    const request = { key: bytes(prefix), range_end: bytes(prefixEnd(prefix)), count_only: true };
    return Number((await this.#call(this.#kv.Range, request, 0)).count);
  }

  async currentRevision(): Promise<number> {
    // Any response's header carries the revision; a count of one impossible key is the cheapest read.
    const response = await this.#call(this.#kv.Range, { key: bytes('\u0000'), count_only: true }, 0);
    return Number(response.header.revision);
  }

  async compactRevision(): Promise<number> {
    this.#checkOpen();
    return this.#compactRevision;
  }

  // ---- writes ----

  async create(key: string, value: Uint8Array): Promise<WriteResult> {
    checkKey(key);
    checkValue(key, value);
    const response = await this.#txn(
      [{ key: bytes(key), target: 'CREATE', result: 'EQUAL', create_revision: 0 }],
      [{ request_put: { key: bytes(key), value } }],
      key,
    );
    if (!response.succeeded) return { ok: false, current: this.#failedRead(response) };
    const revision = Number(response.header.revision);
    return {
      ok: true,
      revision,
      kv: { key, value, createRevision: revision, modRevision: revision, version: 1 },
    };
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<WriteResult> {
    checkKey(key);
    checkValue(key, value);
    checkRevisionArgument(expectedRevision, 'expectedRevision');
    const response = await this.#txn(
      this.#guard(key, expectedRevision),
      [{ request_put: { key: bytes(key), value, prev_kv: true } }],
      key,
    );
    if (!response.succeeded) return { ok: false, current: this.#failedRead(response) };
    const revision = Number(response.header.revision);
    const previous = toKeyValue(response.responses[0]!.response_put!.prev_kv!);
    return {
      ok: true,
      revision,
      kv: {
        key,
        value,
        createRevision: previous.createRevision,
        modRevision: revision,
        version: previous.version + 1,
      },
    };
  }

  async delete(key: string, expectedRevision?: number): Promise<WriteResult> {
    checkKey(key);
    if (expectedRevision !== undefined) checkRevisionArgument(expectedRevision, 'expectedRevision');
    const response = await this.#txn(
      this.#guard(key, expectedRevision),
      [{ request_delete_range: { key: bytes(key), prev_kv: true } }],
      key,
    );
    if (!response.succeeded) return { ok: false, current: this.#failedRead(response) };
    const previous = response.responses[0]!.response_delete_range!.prev_kvs[0]!;
    return { ok: true, revision: Number(response.header.revision), kv: toKeyValue(previous) };
  }

  /** The key exists (version > 0) and, when given, its mod_revision is `expectedRevision`. */
  #guard(key: string, expectedRevision: number | undefined): object[] {
    const exists = { key: bytes(key), target: 'VERSION', result: 'GREATER', version: 0 };
    if (expectedRevision === undefined) return [exists];
    return [exists, { key: bytes(key), target: 'MOD', result: 'EQUAL', mod_revision: expectedRevision }];
  }

  /** A failed compare-and-swap reads the key in the same transaction, so `current` is what defeated it. */
  #txn(compare: object[], success: object[], key: string): Promise<TxnResponse> {
    const failure = [{ request_range: { key: bytes(key) } }];
    return this.#call(this.#kv.Txn, { compare, success, failure }, 0, key);
  }

  #failedRead(response: TxnResponse): KeyValue | undefined {
    const kv = response.responses[0]?.response_range?.kvs[0];
    return kv ? toKeyValue(kv) : undefined;
  }

  // ---- watch ----

  watch(prefix: string, afterRevision: number, options: WatchOptions = {}): WatchStream {
    this.#checkOpen();
    checkKey(prefix, 'prefix');
    checkRevisionArgument(afterRevision, 'afterRevision');
    const call = this.#watchClient.Watch();
    let ending = false;
    const stream: WatchStream = new WatchStream({
      maxBuffered: options.maxBuffered ?? DEFAULT_MAX_BUFFERED,
      progressIntervalMs: options.progressIntervalMs ?? 0,
      requestProgress: () => call.write({ progress_request: {} }),
      onEnd: () => {
        ending = true;
        this.#streams.delete(stream);
        call.cancel();
      },
    });
    this.#streams.add(stream);
    call.on('data', (response: WatchResponse) => {
      if (response.canceled) {
        const compactRevision = Number(response.compact_revision);
        if (compactRevision > 0) {
          this.#compactRevision = Math.max(this.#compactRevision, compactRevision);
          stream.fail(compacted(afterRevision, compactRevision));
        } else {
          stream.fail(
            unavailable(`etcd cancelled the watch: ${response.cancel_reason || 'no reason given'}`),
          );
        }
        return;
      }
      if (response.created) return;
      if (response.events.length === 0) {
        stream.push({
          type: 'progress',
          revision: Math.max(Number(response.header.revision), afterRevision),
        });
        return;
      }
      for (const event of response.events) {
        if (!stream.push(toWatchEvent(event))) return;
      }
    });
    call.on('error', (error: grpc.ServiceError) => {
      if (!ending) stream.fail(unavailable(`etcd watch failed: ${error.details || error.message}`, error));
    });
    call.on('end', () => {
      if (!ending) stream.fail(unavailable('etcd ended the watch'));
    });
    call.write({
      create_request: {
        key: bytes(prefix),
        range_end: bytes(prefixEnd(prefix)),
        start_revision: afterRevision + 1,
        prev_kv: true,
      },
    });
    return stream;
  }

  // ---- maintenance ----

  async compact(revision: number): Promise<void> {
    checkRevisionArgument(revision, 'revision');
    if (revision <= this.#compactRevision) return;
    try {
      await this.#call(this.#kv.Compact, { revision, physical: true }, revision);
    } catch (error) {
      // Someone (another API server) compacted further already: nothing left to do.
      if (!(error instanceof StoreError && error.code === 'SKIFF_ERR_COMPACTED')) throw error;
    }
    this.#compactRevision = Math.max(this.#compactRevision, revision);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of [...this.#streams]) stream.fail(closed());
    this.#kv.close();
    this.#watchClient.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw closed();
  }

  #call<Request, Response>(
    method: Unary<Request, Response>,
    request: Request,
    revision: number,
    key?: string,
  ): Promise<Response> {
    this.#checkOpen();
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + this.#timeoutMs);
      (method as unknown as (r: Request, m: grpc.Metadata, o: grpc.CallOptions, cb: unknown) => void).call(
        this.#kv,
        request,
        new grpc.Metadata(),
        { deadline },
        (error: grpc.ServiceError | null, response: Response) => {
          if (!error) resolve(response);
          else {
            const translated = translate(error, revision, key);
            if (translated instanceof StoreError && translated.code === 'SKIFF_ERR_COMPACTED') {
              this.#compactRevision = Math.max(this.#compactRevision, revision + 1);
            }
            reject(translated);
          }
        },
      );
    });
  }
}

function toWatchEvent(event: WatchResponse['events'][number]): WatchEvent {
  const revision = Number(event.kv.mod_revision);
  if (event.type === 'PUT') return { type: 'put', revision, kv: toKeyValue(event.kv) };
  // etcd's delete event carries only the key and revision; the last state is prev_kv.
  const kv = event.prev_kv
    ? toKeyValue(event.prev_kv)
    : {
        key: event.kv.key.toString('ascii'),
        value: new Uint8Array(),
        createRevision: 0,
        modRevision: 0,
        version: 0,
      };
  return { type: 'delete', revision, kv };
}

export function openEtcdStore(options: EtcdStoreOptions): Promise<EtcdStore> {
  return Promise.resolve(new EtcdStore(options));
}
