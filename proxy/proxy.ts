/**
 * Skiff's service proxy: kube-proxy's nftables mode for one node.
 *
 *   const proxy = await startProxy({ client, nodeName: 'node-1', nodeIPs: ['192.0.2.2'] });
 *   …
 *   await proxy.stop();   // no table, no sink route or veth, sysctls as they were
 *
 * Informers watch Services and EndpointSlices; any change arms one timer (`coalesceMs`, 50 ms), and when it
 * fires the proxy rebuilds the model from the caches (level-triggered: it never trusts the event) and
 * replaces its table in one `nft -f -` transaction (nft-rules.ts). Changes that arrive within the window
 * share one transaction; a change during a sync arms the timer again, so syncs never overlap. A failed
 * apply is retried after `retryMs`; every `resyncPeriodMs` the table is rewritten anyway, so a table deleted
 * by hand comes back.
 *
 * Start: refuses without `nft`; sets the sysctls (sysctls.ts) and the service-CIDR sink (service-sink.ts);
 * waits for both caches; applies the first table before resolving. Only `table ip <tableName>` is ever
 * written — never `flush ruleset` — so other tables (CNI portmap's, iptables-nft's) are left alone.
 */
import { type Clock, systemClock } from '../client/clock.js';
import { Informer } from '../client/informer.js';
import { refFor } from '../client/refs.js';
import type { ListerWatcher } from '../client/types.js';
import { clearFlows, staleFlows } from './conntrack.js';
import { ProxyError } from './errors.js';
import { type Host, systemHost } from './host.js';
import { buildProxyModel } from './model.js';
import {
  type AffinityElement,
  buildRuleset,
  type RenderOptions,
  type Ruleset,
  renderRulesetDelta,
  renderTableRemoval,
} from './nft-rules.js';
import { createServiceSink, removeServiceSink, type ServiceSink } from './service-sink.js';
import { applySysctls, proxySysctls, restoreSysctls, type SysctlChange } from './sysctls.js';
import type { EndpointSlice, ProxyModel, Service } from './types.js';

export interface ProxyOptions {
  readonly client: ListerWatcher;
  /** This node's name: EndpointSlice endpoints with this nodeName are local (the Local traffic policies). */
  readonly nodeName: string;
  /** This node's addresses; where NodePorts answer when `nodePortAddresses` is 'nodeIPs'. */
  readonly nodeIPs?: readonly string[];
  /** Routed to the sink device, so unmatched cluster-IP traffic goes nowhere. Default 10.96.0.0/12. */
  readonly serviceCIDR?: string;
  /** The pod network; traffic to a cluster IP from outside it is masqueraded. Default 10.88.0.0/16. */
  readonly podCIDR?: string;
  /** The nftables table the proxy owns (family ip). Default skiff-proxy. */
  readonly tableName?: string;
  /** The sink veth's name (its peer is `<name>p`). Default skiffsvc0. */
  readonly sinkDevice?: string;
  /** Pod bridges that get route_localnet=1 when present. Default ['skiff0']. */
  readonly bridges?: readonly string[];
  /** 'all' local addresses, 127.0.0.1 included (default), or only `nodeIPs` and 127.0.0.1. */
  readonly nodePortAddresses?: 'all' | 'nodeIPs';
  /** Default 0x4000, kube-proxy's. */
  readonly masqueradeMark?: number;
  /** Changes within this window share one transaction. Default 50 ms. */
  readonly coalesceMs?: number;
  /** A failed apply is retried after this long. Default 1 s. */
  readonly retryMs?: number;
  /** The table is rewritten this often even without changes; 0: never. Default 60 s. */
  readonly resyncPeriodMs?: number;
  readonly clock?: Clock;
  readonly host?: Host;
  /** Apply and informer failures (all retried). Default console.error. */
  readonly onError?: (error: unknown) => void;
  /** After each applied transaction. */
  readonly onSync?: (result: SyncResult) => void;
}

export interface SyncResult {
  /** 'full': the table re-created; 'delta': only what changed since the last transaction. */
  readonly mode: 'full' | 'delta';
  /** The transaction's text ('' when nothing changed and nft was not run). */
  readonly transaction: string;
  readonly servicePorts: number;
  /** Size of the transaction's text. */
  readonly bytes: number;
  /** From reading the caches to nft's exit (conntrack cleanup not included). */
  readonly durationMs: number;
  /** `conntrack -D` filters run after it. */
  readonly flowFilters: number;
}

export interface RunningProxy {
  readonly tableName: string;
  /** The whole table as last applied, as `nft -f` text that would re-create it. */
  readonly lastRuleset: string | undefined;
  /** Syncs now (after any sync in progress) and resolves once that transaction is applied. */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

const cidrPattern = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  if (!options.nodeName) throw new ProxyError('SKIFF_ERR_INVALID_ARGUMENT', 'nodeName is required');
  for (const [field, value] of [
    ['serviceCIDR', options.serviceCIDR],
    ['podCIDR', options.podCIDR],
  ] as const) {
    if (value !== undefined && !cidrPattern.test(value)) {
      throw new ProxyError('SKIFF_ERR_INVALID_ARGUMENT', `${field} ${value} is not an IPv4 CIDR`);
    }
  }
  const proxy = new ServiceProxy(options);
  await proxy.start();
  return proxy;
}

class ServiceProxy implements RunningProxy {
  readonly tableName: string;
  readonly #options: ProxyOptions;
  readonly #host: Host;
  readonly #clock: Clock;
  readonly #services: Informer<Service>;
  readonly #slices: Informer<EndpointSlice>;
  #sysctls: SysctlChange[] = [];
  #sink: ServiceSink | undefined;
  /** Set once both caches have synced: events before that are covered by the first sync. */
  #ready = false;
  #stopped = false;
  /** The armed coalescing (or retry) timer: while it is armed, further changes wait for it. */
  #cancelTimer: (() => void) | undefined;
  /** The periodic rewrite, re-armed after every sync. */
  #cancelResync: (() => void) | undefined;
  /** Syncs run one after another on this chain. */
  #chain: Promise<void> = Promise.resolve();
  /** The model last applied: what stale UDP flows are computed against. */
  #applied: ProxyModel = { servicePorts: [] };
  /** What the kernel holds, as far as the proxy knows; undefined: re-create the table next time. */
  #ruleset: Ruleset | undefined;

  constructor(options: ProxyOptions) {
    this.#options = options;
    this.tableName = options.tableName ?? 'skiff-proxy';
    this.#host = options.host ?? systemHost;
    this.#clock = options.clock ?? systemClock;
    const onError = options.onError ?? ((error: unknown) => console.error('proxy:', error));
    const common = { client: options.client, clock: this.#clock, onError };
    // As kube-proxy: Services another proxy claims, and headless Services' slices, are not watched.
    this.#services = new Informer<Service>({
      ...common,
      ref: refFor('Service'),
      labelSelector: '!service.kubernetes.io/service-proxy-name',
    });
    this.#slices = new Informer<EndpointSlice>({
      ...common,
      ref: refFor({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }),
      labelSelector:
        'kubernetes.io/service-name,!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name',
    });
  }

  get lastRuleset(): string | undefined {
    return this.#ruleset?.text;
  }

  async start(): Promise<void> {
    const version = await this.#host.exec('nft', ['--version']).catch(() => undefined);
    if (version?.code !== 0) {
      throw new ProxyError(
        'SKIFF_ERR_PROXY_NO_NFT',
        'the service proxy needs nft (nftables), which is not installed',
      );
    }
    try {
      this.#sysctls = await applySysctls(this.#host, proxySysctls(this.#options.bridges ?? ['skiff0']));
      this.#sink = await createServiceSink(
        this.#host,
        this.#options.sinkDevice ?? 'skiffsvc0',
        this.#options.serviceCIDR ?? '10.96.0.0/12',
      );
      const changed = () => this.#changed();
      const handlers = { onAdd: changed, onUpdate: changed, onDelete: changed };
      this.#services.addEventHandler(handlers);
      this.#slices.addEventHandler(handlers);
      this.#services.start();
      this.#slices.start();
      await Promise.all([this.#services.waitForSync(), this.#slices.waitForSync()]);
      this.#ready = true;
      await this.sync();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  sync(): Promise<void> {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const run = this.#chain.then(() => this.#syncOnce());
    this.#chain = run.catch(() => {});
    return run;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#cancelResync?.();
    await this.#chain;
    await Promise.all([this.#services.stop(), this.#slices.stop()]);
    const failures: string[] = [];
    const removal = await this.#host.exec('nft', ['-f', '-'], renderTableRemoval(this.tableName));
    if (removal.code !== 0) failures.push(`nft: ${removal.stderr.trim()}`);
    if (this.#sink) await removeServiceSink(this.#host, this.#sink);
    await restoreSysctls(this.#host, this.#sysctls).catch((error) => failures.push(String(error)));
    if (failures.length > 0) this.#reportError(new Error(`proxy cleanup: ${failures.join('; ')}`));
  }

  #changed(): void {
    if (!this.#ready || this.#stopped || this.#cancelTimer) return;
    this.#arm(this.#options.coalesceMs ?? 50);
  }

  #arm(delayMs: number): void {
    this.#cancelTimer?.();
    this.#cancelTimer = this.#clock.setTimer(() => {
      this.#cancelTimer = undefined;
      this.sync().catch(() => {});
    }, delayMs);
  }

  async #syncOnce(): Promise<void> {
    if (this.#stopped) return;
    const started = performance.now();
    const model = buildProxyModel(this.#services.store.list(), this.#slices.store.list(), {
      nodeName: this.#options.nodeName,
    });
    const nodePortAddresses: RenderOptions['nodePortAddresses'] =
      this.#options.nodePortAddresses === 'nodeIPs' ? [...(this.#options.nodeIPs ?? []), '127.0.0.1'] : 'all';
    const renderOptions: RenderOptions = {
      tableName: this.tableName,
      podCIDR: this.#options.podCIDR ?? '10.88.0.0/16',
      nodePortAddresses,
      ...(this.#options.masqueradeMark !== undefined ? { masqueradeMark: this.#options.masqueradeMark } : {}),
    };
    let mode: SyncResult['mode'] = 'delta';
    let ruleset = buildRuleset(model, renderOptions);
    let text = '';
    let result = { code: 0, stdout: '', stderr: '' };
    if (this.#ruleset) {
      text = renderRulesetDelta(this.#ruleset, ruleset);
      if (text !== '') result = await this.#host.exec('nft', ['-f', '-'], text);
      if (result.code !== 0) {
        this.#reportError(
          new ProxyError(
            'SKIFF_ERR_PROXY_APPLY',
            `nft refused a delta, re-creating the table: ${result.stderr.trim()}`,
          ),
        );
        this.#ruleset = undefined;
      }
    }
    if (!this.#ruleset) {
      mode = 'full';
      // Affinity state lives in the sets being re-created: carry the live entries over.
      if (model.servicePorts.some((servicePort) => servicePort.affinityTimeoutSeconds !== undefined)) {
        ruleset = buildRuleset(model, { ...renderOptions, affinityElements: await this.#readAffinity() });
      }
      text = ruleset.text;
      result = await this.#host.exec('nft', ['-f', '-'], text);
    }
    if (result.code !== 0) {
      const error = new ProxyError('SKIFF_ERR_PROXY_APPLY', `nft refused the rules: ${result.stderr.trim()}`);
      this.#reportError(error);
      if (!this.#stopped) this.#arm(this.#options.retryMs ?? 1000);
      throw error;
    }
    const durationMs = performance.now() - started;
    this.#ruleset = ruleset;
    const flows = staleFlows(this.#applied, model);
    this.#applied = model;
    const failures = await clearFlows(this.#host, flows);
    for (const failure of failures) this.#reportError(new Error(failure));
    const resync = this.#options.resyncPeriodMs ?? 60_000;
    this.#cancelResync?.();
    if (resync > 0 && !this.#stopped) {
      this.#cancelResync = this.#clock.setTimer(() => {
        this.#ruleset = undefined; // a full rewrite repairs whatever was changed behind the proxy's back
        this.sync().catch(() => {});
      }, resync);
    }
    this.#options.onSync?.({
      mode,
      transaction: text,
      servicePorts: model.servicePorts.length,
      bytes: text.length,
      durationMs,
      flowFilters: flows.length,
    });
  }

  /** The live entries of the table's affinity sets, so a rewrite keeps clients pinned. */
  async #readAffinity(): Promise<Map<string, AffinityElement[]>> {
    const elements = new Map<string, AffinityElement[]>();
    const listed = await this.#host.exec('nft', ['-j', 'list', 'sets', 'table', 'ip', this.tableName]);
    if (listed.code !== 0) return elements; // no table yet
    const parsed = JSON.parse(listed.stdout) as {
      nftables?: {
        set?: { name?: string; elem?: ({ elem?: { val?: unknown; expires?: number } } | string)[] };
      }[];
    };
    for (const entry of parsed.nftables ?? []) {
      const set = entry.set;
      if (!set?.name?.startsWith('affinity-')) continue;
      const live: AffinityElement[] = [];
      for (const element of set.elem ?? []) {
        if (typeof element === 'object' && typeof element.elem?.val === 'string') {
          live.push({ ip: element.elem.val, expiresSeconds: element.elem.expires ?? 1 });
        }
      }
      elements.set(set.name, live);
    }
    return elements;
  }

  #reportError(error: unknown): void {
    (this.#options.onError ?? ((e: unknown) => console.error('proxy:', e)))(error);
  }
}
