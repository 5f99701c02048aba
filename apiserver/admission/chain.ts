/**
 * The admission chain: the enabled plugins in upstream's order (kube-apiserver's AllOrderedPlugins,
 * whatever order they were named in), the mutating phase of each, then — after the object's own
 * validation — the validating phase of each. NamespaceLifecycle is not here: apiserver/admission.ts
 * always runs it, first, as every cluster does.
 *
 *   LimitRanger → ServiceAccount → PodSecurity → Priority → DefaultTolerationSeconds
 *     → DefaultStorageClass → ResourceQuota (last: it charges what the others let through)
 */
import { defaultStorageClassPlugin } from './default-storage-class.js';
import { defaultTolerationSecondsPlugin } from './default-toleration-seconds.js';
import { limitRangerPlugin } from './limit-ranger.js';
import { podSecurityPlugin } from './pod-security.js';
import { priorityPlugin } from './priority.js';
import { resourceQuotaPlugin } from './resource-quota.js';
import { serviceAccountPlugin } from './service-account.js';
import type {
  AdmissionPlugin,
  AdmissionPluginContext,
  AdmissionPluginFactory,
  AdmissionRequest,
} from './types.js';

export const admissionPluginOrder = [
  'LimitRanger',
  'ServiceAccount',
  'PodSecurity',
  'Priority',
  'DefaultTolerationSeconds',
  'DefaultStorageClass',
  'ResourceQuota',
] as const;

export type AdmissionPluginName = (typeof admissionPluginOrder)[number];

/** Every plugin Skiff has; all of them are on by default upstream. */
export const defaultAdmissionPlugins: readonly AdmissionPluginName[] = admissionPluginOrder;

/**
 * What `skiff up` enables: every plugin, except ServiceAccount when no controller manager runs beside
 * the server. Without the serviceaccount controller no namespace gets its `default` account, and the
 * plugin would refuse every pod — as a kube-apiserver without kube-controller-manager does.
 */
export function admissionPluginsFor(options: {
  readonly controllers: boolean;
}): readonly AdmissionPluginName[] {
  return options.controllers
    ? defaultAdmissionPlugins
    : defaultAdmissionPlugins.filter((name) => name !== 'ServiceAccount');
}

const factories: Readonly<Record<AdmissionPluginName, AdmissionPluginFactory>> = {
  LimitRanger: limitRangerPlugin,
  ServiceAccount: serviceAccountPlugin,
  PodSecurity: podSecurityPlugin,
  Priority: priorityPlugin,
  DefaultTolerationSeconds: defaultTolerationSecondsPlugin,
  DefaultStorageClass: defaultStorageClassPlugin,
  ResourceQuota: resourceQuotaPlugin,
};

export class AdmissionChain {
  readonly plugins: readonly AdmissionPlugin[];

  constructor(plugins: readonly AdmissionPlugin[]) {
    this.plugins = plugins;
  }

  /** The named plugins, in upstream's order; an unknown name is a configuration error. */
  static create(names: readonly string[], context: AdmissionPluginContext): AdmissionChain {
    for (const name of names) {
      if (!(admissionPluginOrder as readonly string[]).includes(name)) {
        throw new Error(`unknown admission plugin "${name}"; known: ${admissionPluginOrder.join(', ')}`);
      }
    }
    const wanted = new Set(names);
    return new AdmissionChain(
      admissionPluginOrder.filter((name) => wanted.has(name)).map((name) => factories[name](context)),
    );
  }

  async admit(request: AdmissionRequest): Promise<void> {
    for (const plugin of this.plugins) await plugin.admit?.(request);
  }

  async validate(request: AdmissionRequest): Promise<void> {
    for (const plugin of this.plugins) await plugin.validate?.(request);
  }
}
