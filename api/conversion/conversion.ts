/**
 * What converting a resource between the versions it is served in means, and the one error it can raise.
 *
 * Skiff stores each object once, in its resource's storage version, and serves it in every version the
 * resource is offered in, as Kubernetes does: a write in any served version is converted to the storage
 * version before it is stored, and a read in any served version is converted from it.
 *
 *   PUT autoscaling/v1 hpa ──toStorage(hpa, 'autoscaling/v1')──▶ stored autoscaling/v2
 *   GET autoscaling/v1 hpa ◀──fromStorage(stored, 'autoscaling/v1')──┘
 *
 * Conversions are pure: they never edit their input, and the result shares no nested value with it.
 * They set the result's apiVersion and kind and carry metadata through unchanged, apart from the
 * annotations upstream itself uses to carry fields a version cannot express.
 *
 * They convert, and only convert: per-version defaulting (autoscaling/v1's minReplicas = 1, v2's
 * behavior defaults) and Go's zero-value rules (omitempty) belong to the schema layer, which runs
 * around them. A field absent from the input is absent from the output unless upstream's conversion
 * itself fills it in (autoscaling/v1 → v2 adds the implicit 80% CPU metric).
 */
import type { KubeObject } from '../resource.js';

export interface Conversion {
  /** The version objects are stored in, as an apiVersion: `autoscaling/v2`, or `v1` for core. */
  readonly storageVersion: string;
  /** Every apiVersion the resource is served in, the storage version first. */
  readonly servedVersions: readonly string[];
  /** The object, written in `fromApiVersion`, as it is stored. */
  toStorage(object: KubeObject, fromApiVersion: string): KubeObject;
  /** The stored object as `toApiVersion` shows it. */
  fromStorage(object: KubeObject, toApiVersion: string): KubeObject;
}

/** A conversion was asked for a version its resource is not served in: a bug in the caller. */
export class ConversionError extends Error {
  override readonly name = 'ConversionError';
  readonly code = 'SKIFF_ERR_UNSUPPORTED_VERSION';
}

export function isConversionError(error: unknown): error is ConversionError {
  return error instanceof ConversionError;
}

export function unsupportedVersion(
  kind: string,
  apiVersion: string,
  served: readonly string[],
): ConversionError {
  return new ConversionError(
    `${kind} is not served in ${JSON.stringify(apiVersion)}; it is served in ${served.join(', ')}`,
  );
}
