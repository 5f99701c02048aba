/**
 * Admission plugins, as kube-apiserver runs them: every create and update of a stored object passes
 * each enabled plugin's `admit` (the mutating phase: defaults a plugin fills, such as a pod's service
 * account or a container's LimitRange defaults) and later each one's `validate` (the validating phase:
 * checks that may refuse, such as PodSecurity or ResourceQuota). A plugin refuses by throwing a
 * StatusError (403 Forbidden, or 422 Invalid), and says which rule refused in its message.
 *
 * The attributes are upstream's admission.Attributes, reduced to what the plugins here read.
 */

import type { UserInfo } from '../../api/auth.js';
import type { KubeObject, ResourceDefinition } from '../../api/resource.js';
import type { Clock } from '../../client/clock.js';
import type { ResourceStore } from '../resource-store.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE';

export interface AdmissionRequest {
  readonly operation: AdmissionOperation;
  readonly resource: ResourceDefinition;
  /** `status`, `scale`, `finalize` …; absent for the main resource. */
  readonly subresource?: string;
  /** The object's namespace; absent for cluster-scoped kinds. */
  readonly namespace?: string;
  /** The object's name (a generated name is already chosen when admission runs). */
  readonly name: string;
  /** What will be stored. Mutating plugins edit it in place; it is made for this request alone. */
  readonly object: KubeObject;
  /** The stored object an update replaces; absent on create. Never edited. */
  readonly oldObject?: KubeObject;
  /** Who writes; absent when the server runs without authentication. */
  readonly user?: UserInfo;
  /** A dry run changes nothing beyond the response: plugins that write (ResourceQuota) only check. */
  readonly dryRun: boolean;
  /** Adds a warning the client sees (a `Warning: 299 - "…"` response header). */
  readonly warn: (message: string) => void;
}

export interface AdmissionPlugin {
  /** Upstream's plugin name (`ServiceAccount`, `PodSecurity` …), as --enable-admission-plugins takes it. */
  readonly name: string;
  /** The mutating phase. */
  admit?(request: AdmissionRequest): void | Promise<void>;
  /** The validating phase, after the object's own validation passed. */
  validate?(request: AdmissionRequest): void | Promise<void>;
}

/** What a plugin is made from. */
export interface AdmissionPluginContext {
  /** The server's stores, by `storeKey` (the plugins read ServiceAccounts, LimitRanges, quotas …). */
  readonly stores: ReadonlyMap<string, ResourceStore>;
  /** For waits (a namespace's `default` ServiceAccount) and pod lifetimes (quota); the system clock when absent. */
  readonly clock?: Clock;
}

export type AdmissionPluginFactory = (context: AdmissionPluginContext) => AdmissionPlugin;
