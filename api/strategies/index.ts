import type { Strategy } from '../resource.js';
import { configMapStrategy, secretStrategy } from './config-data.js';
import { namespaceStrategy } from './namespaces.js';
import { podStrategy } from './pods.js';
import { persistentVolumeClaimStrategy, persistentVolumeStrategy } from './volumes.js';

/** The rules beyond the schema, by `group/plural` (core group: `/plural`). */
export const strategies: ReadonlyMap<string, Strategy> = new Map([
  ['/namespaces', namespaceStrategy],
  ['/configmaps', configMapStrategy],
  ['/secrets', secretStrategy],
  ['/pods', podStrategy],
  ['/persistentvolumes', persistentVolumeStrategy],
  ['/persistentvolumeclaims', persistentVolumeClaimStrategy],
]);
