/**
 * The resources served in more than one version, and how each converts to and from the version it is
 * stored in. A resource absent here is served in its storage version only and needs no conversion.
 *
 *   conversions.get('autoscaling/horizontalpodautoscalers')   // stored in autoscaling/v2
 *   conversions.get('/events')                                // stored in core v1
 *   storedAs.get('events.k8s.io/events')                      // '/events': stored with core's events
 *   conversionFor('events.k8s.io', 'events')                  // the events conversion, resolved
 *
 * Keys are `${group}/${plural}` of the stored resource (the core group is the empty string).
 */
import type { Conversion } from './conversion.js';
import { eventConversion } from './events.js';
import { hpaConversion } from './hpa.js';

export { type Conversion, ConversionError, isConversionError } from './conversion.js';
export {
  behaviorAnnotation,
  conditionsAnnotation,
  metricSpecsAnnotation,
  metricStatusesAnnotation,
} from './hpa.js';

export const conversions: ReadonlyMap<string, Conversion> = new Map([
  ['autoscaling/horizontalpodautoscalers', hpaConversion],
  ['/events', eventConversion],
]);

/**
 * Resources kept in another resource's storage, as upstream keeps events.k8s.io Events with core's
 * (one object, listed and watched through either API): `${group}/${plural}` → the stored resource's key.
 */
export const storedAs: ReadonlyMap<string, string> = new Map([['events.k8s.io/events', '/events']]);

/** The key of the resource whose storage holds `group`/`plural`'s objects: its own, unless `storedAs` says otherwise. */
export function storageResourceOf(group: string, plural: string): string {
  const key = `${group}/${plural}`;
  return storedAs.get(key) ?? key;
}

/** The conversion for `group`/`plural` (following `storedAs`), or undefined when it has one version. */
export function conversionFor(group: string, plural: string): Conversion | undefined {
  return conversions.get(storageResourceOf(group, plural));
}
