/**
 * Turns a profile's `plugins` into the ordered list of plugins at each extension point, the way
 * kube-scheduler merges a profile with its defaults:
 *
 *   1. multiPoint: the default plugins, minus those disabled there (`*` disables all), with the
 *      profile's multiPoint.enabled merged in (a plugin already listed keeps its place, takes the new
 *      weight; a new one is appended).
 *   2. each point: first the plugins enabled explicitly at that point that are also multiPoint plugins
 *      (in the point's order — they override), then the remaining multiPoint plugins that serve the
 *      point and are not disabled there, then the point's other explicitly enabled plugins.
 *
 *   defaults multiPoint [A, B, C];  score: {enabled: [{name: C, weight: 5}], disabled: [{name: B}]}
 *     → score: [C (5), A]  — if A and C are score plugins; B is gone from score only
 *
 * Whether a multiPoint plugin serves a point is known only once it is made, so entries from multiPoint
 * are marked `fromMultiPoint` and the framework drops those that do not serve the point; an explicit
 * entry that does not serve its point is an error.
 */
import { defaultMultiPointPlugins } from './defaults.js';
import {
  DEFAULT_SCHEDULER_NAME,
  type ExtensionPoint,
  extensionPoints,
  type PluginRef,
  type SchedulerProfile,
} from './types.js';

export interface ResolvedPluginRef {
  readonly name: string;
  /** For score plugins; at least 1. */
  readonly weight: number;
  /** From multiPoint: kept at this point only if the plugin serves it. */
  readonly fromMultiPoint: boolean;
}

export interface ResolvedProfile {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number | undefined;
  readonly points: Readonly<Record<ExtensionPoint, readonly ResolvedPluginRef[]>>;
  /** Args by plugin name, as pluginConfig gives them. */
  readonly pluginArgs: ReadonlyMap<string, unknown>;
}

export function resolveProfile(
  profile: SchedulerProfile,
  defaults: readonly PluginRef[] = defaultMultiPointPlugins,
): ResolvedProfile {
  const plugins = profile.plugins ?? {};
  const multiPoint = mergeSet(defaults, plugins.multiPoint?.enabled, plugins.multiPoint?.disabled);
  const multiPointNames = new Set(multiPoint.map((plugin) => plugin.name));
  const points = {} as Record<ExtensionPoint, ResolvedPluginRef[]>;
  for (const point of extensionPoints) {
    const set = plugins[point] ?? {};
    const disabled = new Set((set.disabled ?? []).map((plugin) => plugin.name));
    const enabled = set.enabled ?? [];
    const explicitNames = new Set(enabled.map((plugin) => plugin.name));
    const list: ResolvedPluginRef[] = [];
    for (const plugin of enabled) {
      if (multiPointNames.has(plugin.name)) {
        list.push({ name: plugin.name, weight: weightOf(plugin, multiPoint), fromMultiPoint: false });
      }
    }
    if (!disabled.has('*')) {
      for (const plugin of multiPoint) {
        if (disabled.has(plugin.name) || explicitNames.has(plugin.name)) continue;
        list.push({ name: plugin.name, weight: positive(plugin.weight), fromMultiPoint: true });
      }
    }
    for (const plugin of enabled) {
      if (!multiPointNames.has(plugin.name)) {
        list.push({ name: plugin.name, weight: positive(plugin.weight), fromMultiPoint: false });
      }
    }
    points[point] = list;
  }
  const pluginArgs = new Map<string, unknown>();
  for (const config of profile.pluginConfig ?? []) pluginArgs.set(config.name, config.args);
  return {
    schedulerName: profile.schedulerName || DEFAULT_SCHEDULER_NAME,
    percentageOfNodesToScore: profile.percentageOfNodesToScore,
    points,
    pluginArgs,
  };
}

/** Defaults minus disabled, with `enabled` replacing same-named entries in place or appended. */
function mergeSet(
  defaults: readonly PluginRef[],
  enabled: readonly PluginRef[] = [],
  disabled: readonly PluginRef[] = [],
): PluginRef[] {
  const disabledNames = new Set(disabled.map((plugin) => plugin.name));
  const merged = disabledNames.has('*') ? [] : defaults.filter((plugin) => !disabledNames.has(plugin.name));
  for (const plugin of enabled) {
    const index = merged.findIndex((existing) => existing.name === plugin.name);
    if (index >= 0) merged[index] = plugin;
    else merged.push(plugin);
  }
  return merged;
}

function weightOf(plugin: PluginRef, multiPoint: readonly PluginRef[]): number {
  if (plugin.weight) return positive(plugin.weight);
  return positive(multiPoint.find((candidate) => candidate.name === plugin.name)?.weight);
}

function positive(weight: number | undefined): number {
  return weight && weight > 0 ? weight : 1;
}
