/**
 * HorizontalPodAutoscalers: stored in autoscaling/v2, served in autoscaling/v2 and autoscaling/v1, with
 * upstream's semantics (pkg/apis/autoscaling/v1/conversion.go and v2/conversion.go, Kubernetes 1.33).
 *
 * autoscaling/v1 knows one metric, a CPU utilization target (`targetCPUUtilizationPercentage`) and its
 * current value (`currentCPUUtilizationPercentage`). So that a v1 client can read an HPA and write it back
 * without losing what only v2 can say, the v1 shape carries the rest in annotations:
 *
 *   autoscaling.alpha.kubernetes.io/metrics          every metric but CPU utilization, as v1 MetricSpecs
 *   autoscaling.alpha.kubernetes.io/current-metrics  every current metric, as v1 MetricStatuses
 *   autoscaling.alpha.kubernetes.io/behavior         spec.behavior, as Go marshals the *internal* type:
 *                                                    Go field names, nil as null (upstream's own TODO)
 *   autoscaling.alpha.kubernetes.io/conditions       status.conditions, as v1 conditions
 *
 * Worked example: a v2 HPA with a CPU utilization target of 60% and a memory target of 1Gi reads in v1 as
 *
 *   spec.targetCPUUtilizationPercentage: 60
 *   annotations["autoscaling.alpha.kubernetes.io/metrics"]:
 *     [{"type":"Resource","resource":{"name":"memory","targetAverageValue":"1Gi"}}]
 *
 * and converts back to the memory metric first, then the CPU one: the CPU metric moves to the end of
 * `metrics`, as upstream's does. A v1 HPA with no metric at all gets the 80% CPU target the v1
 * controller always implied.
 *
 * The annotations are written only when converting to v1, read only when converting from it, and
 * dropped on every conversion to the stored version (so a v2 client cannot plant them) — together
 * with the two tolerance annotations autoscaling/v2beta2 uses, as upstream's
 * DropRoundTripHorizontalPodAutoscalerAnnotations drops them. An annotation that does not decode is
 * ignored, as upstream ignores it.
 *
 * One later upstream fix is taken: an Object metric with an average-value target comes back from v1
 * without the `value: "0"` that v1's non-optional targetValue would otherwise add (which fails
 * validation). Kubernetes 1.33 still adds it.
 */

import { Quantity } from '../quantity.js';
import type { KubeObject, ObjectMeta } from '../resource.js';
import {
  asArray,
  asInteger,
  asRecord,
  asString,
  asStringMap,
  isRecord,
  isSet,
  readPath,
} from '../resources/json.js';
import { type Conversion, unsupportedVersion } from './conversion.js';
import {
  decodeList,
  decodeStruct,
  field,
  GoJsonError,
  parseGo,
  sortedMap,
  stringifyGo,
  writeQuantity,
} from './go-json.js';

const v1 = 'autoscaling/v1';
const v2 = 'autoscaling/v2';
const servedVersions = [v2, v1] as const;
const kind = 'HorizontalPodAutoscaler';

export const metricSpecsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
export const metricStatusesAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';
export const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
/** Written by autoscaling/v2beta2 (which Skiff does not serve); dropped like the rest. */
const scaleUpToleranceAnnotation = 'autoscaling.alpha.kubernetes.io/scale-up-tolerance';
const scaleDownToleranceAnnotation = 'autoscaling.alpha.kubernetes.io/scale-down-tolerance';

const roundTripAnnotations = [
  metricSpecsAnnotation,
  behaviorAnnotation,
  scaleDownToleranceAnnotation,
  scaleUpToleranceAnnotation,
  metricStatusesAnnotation,
  conditionsAnnotation,
] as const;

/** The CPU target autoscaling/v1 implies when it states none. */
const defaultCPUUtilization = 80;

type Json = Record<string, unknown>;
type Struct = Readonly<Record<string, unknown>>;

// ── metadata ────────────────────────────────────────────────────────────────────────────────────

/** A copy of `metadata` without the round-trip annotations; an annotation map they alone filled goes. */
function withoutRoundTripAnnotations(metadata: ObjectMeta): ObjectMeta {
  const copy = structuredClone(metadata);
  const annotations = copy.annotations;
  if (!isRecord(annotations) || !roundTripAnnotations.some((key) => key in annotations)) return copy;
  for (const key of roundTripAnnotations) delete annotations[key];
  if (Object.keys(annotations).length === 0) delete copy.annotations;
  return copy;
}

/** The annotation decoded by `decode`, or undefined when it is absent or does not decode. */
function readAnnotation<T>(
  annotations: Readonly<Record<string, string>>,
  key: string,
  decode: (value: unknown) => T,
) {
  const text = annotations[key];
  if (text === undefined) return undefined;
  try {
    return decode(parseGo(text));
  } catch (error) {
    if (error instanceof GoJsonError) return undefined;
    throw error;
  }
}

// ── shared pieces, written as Go writes the v1 types into annotations ──────────────────────────────

/** A quantity that Go declares without a pointer: present even when zero. */
const quantityOrZero = (value: unknown) => (isSet(value) ? writeQuantity(value) : '0');

function isZeroQuantity(text: string): boolean {
  try {
    return Quantity.parse(text).isZero();
  } catch {
    return false;
  }
}

function crossVersionReferenceToGo(reference: unknown): Json {
  const ref = asRecord(reference);
  const out: Json = { kind: asString(ref.kind), name: asString(ref.name) };
  if (asString(ref.apiVersion) !== '') out.apiVersion = ref.apiVersion;
  return out;
}

/** A metav1.LabelSelector: `{}` when set but empty, matchLabels sorted, empty lists left out. */
function labelSelectorToGo(selector: unknown): Json | undefined {
  if (!isRecord(selector)) return undefined;
  const out: Json = {};
  const labels = asStringMap(selector.matchLabels);
  if (Object.keys(labels).length > 0) out.matchLabels = sortedMap(labels);
  const expressions = asArray(selector.matchExpressions).map((expression) => {
    const requirement = asRecord(expression);
    const written: Json = { key: asString(requirement.key), operator: asString(requirement.operator) };
    const values = asArray(requirement.values).map(asString);
    if (values.length > 0) written.values = values;
    return written;
  });
  if (expressions.length > 0) out.matchExpressions = expressions;
  return out;
}

/** Sets `out[key]` when `value` is set (a Go pointer or omitempty field). */
function setIfSet(out: Json, key: string, value: unknown, write: (value: unknown) => unknown = (v) => v) {
  if (isSet(value)) out[key] = write(value);
}

function setIfNonEmpty(out: Json, key: string, value: string | undefined) {
  if (value !== undefined && value !== '') out[key] = value;
}

// ── v2 → v1: metric specs and statuses for the annotations ────────────────────────────────────────

function isCPUUtilizationMetric(metric: unknown): boolean {
  return (
    readPath(metric, 'type') === 'Resource' &&
    readPath(metric, 'resource', 'name') === 'cpu' &&
    isSet(readPath(metric, 'resource', 'target', 'averageUtilization'))
  );
}

function metricSpecToV1(metric: unknown): Json {
  const spec = asRecord(metric);
  const out: Json = { type: asString(spec.type) };
  if (isRecord(spec.object)) {
    const { describedObject, metric: identifier, target } = spec.object;
    const written: Json = {
      target: crossVersionReferenceToGo(describedObject),
      metricName: asString(readPath(identifier, 'name')),
      targetValue: quantityOrZero(readPath(target, 'value')),
    };
    setIfSet(written, 'selector', labelSelectorToGo(readPath(identifier, 'selector')));
    setIfSet(written, 'averageValue', readPath(target, 'averageValue'), writeQuantity);
    out.object = written;
  }
  if (isRecord(spec.pods)) {
    const { metric: identifier, target } = spec.pods;
    const written: Json = {
      metricName: asString(readPath(identifier, 'name')),
      targetAverageValue: quantityOrZero(readPath(target, 'averageValue')),
    };
    setIfSet(written, 'selector', labelSelectorToGo(readPath(identifier, 'selector')));
    out.pods = written;
  }
  if (isRecord(spec.resource)) {
    const { name, target } = spec.resource;
    const written: Json = { name: asString(name) };
    setIfSet(written, 'targetAverageUtilization', readPath(target, 'averageUtilization'));
    setIfSet(written, 'targetAverageValue', readPath(target, 'averageValue'), writeQuantity);
    out.resource = written;
  }
  if (isRecord(spec.containerResource)) {
    const { name, target, container } = spec.containerResource;
    const written: Json = { name: asString(name) };
    setIfSet(written, 'targetAverageUtilization', readPath(target, 'averageUtilization'));
    setIfSet(written, 'targetAverageValue', readPath(target, 'averageValue'), writeQuantity);
    written.container = asString(container);
    out.containerResource = written;
  }
  if (isRecord(spec.external)) {
    const { metric: identifier, target } = spec.external;
    const written: Json = { metricName: asString(readPath(identifier, 'name')) };
    setIfSet(written, 'metricSelector', labelSelectorToGo(readPath(identifier, 'selector')));
    setIfSet(written, 'targetValue', readPath(target, 'value'), writeQuantity);
    setIfSet(written, 'targetAverageValue', readPath(target, 'averageValue'), writeQuantity);
    out.external = written;
  }
  return out;
}

function metricStatusToV1(metric: unknown): Json {
  const status = asRecord(metric);
  const out: Json = { type: asString(status.type) };
  if (isRecord(status.object)) {
    const { describedObject, metric: identifier, current } = status.object;
    const written: Json = {
      target: crossVersionReferenceToGo(describedObject),
      metricName: asString(readPath(identifier, 'name')),
      currentValue: quantityOrZero(readPath(current, 'value')),
    };
    setIfSet(written, 'selector', labelSelectorToGo(readPath(identifier, 'selector')));
    setIfSet(written, 'averageValue', readPath(current, 'averageValue'), writeQuantity);
    out.object = written;
  }
  if (isRecord(status.pods)) {
    const { metric: identifier, current } = status.pods;
    const written: Json = {
      metricName: asString(readPath(identifier, 'name')),
      currentAverageValue: quantityOrZero(readPath(current, 'averageValue')),
    };
    setIfSet(written, 'selector', labelSelectorToGo(readPath(identifier, 'selector')));
    out.pods = written;
  }
  if (isRecord(status.resource)) {
    const { name, current } = status.resource;
    const written: Json = { name: asString(name) };
    setIfSet(written, 'currentAverageUtilization', readPath(current, 'averageUtilization'));
    written.currentAverageValue = quantityOrZero(readPath(current, 'averageValue'));
    out.resource = written;
  }
  if (isRecord(status.containerResource)) {
    const { name, current, container } = status.containerResource;
    const written: Json = { name: asString(name) };
    setIfSet(written, 'currentAverageUtilization', readPath(current, 'averageUtilization'));
    written.currentAverageValue = quantityOrZero(readPath(current, 'averageValue'));
    written.container = asString(container);
    out.containerResource = written;
  }
  if (isRecord(status.external)) {
    const { metric: identifier, current } = status.external;
    const written: Json = { metricName: asString(readPath(identifier, 'name')) };
    setIfSet(written, 'metricSelector', labelSelectorToGo(readPath(identifier, 'selector')));
    written.currentValue = quantityOrZero(readPath(current, 'value'));
    setIfSet(written, 'currentAverageValue', readPath(current, 'averageValue'), writeQuantity);
    out.external = written;
  }
  return out;
}

/** metav1.Time is a struct, so a zero lastTransitionTime is written as null rather than left out. */
function conditionToV1(condition: unknown): Json {
  const { type, status, lastTransitionTime, reason, message } = asRecord(condition);
  const out: Json = {
    type: asString(type),
    status: asString(status),
    lastTransitionTime: isSet(lastTransitionTime) ? lastTransitionTime : null,
  };
  setIfNonEmpty(out, 'reason', asString(reason));
  setIfNonEmpty(out, 'message', asString(message));
  return out;
}

/** The internal HorizontalPodAutoscalerBehavior as Go marshals it: no json tags, every field present. */
function behaviorToInternal(behavior: unknown): Json {
  const rules = (value: unknown) => {
    if (!isRecord(value)) return null;
    return {
      StabilizationWindowSeconds: isSet(value.stabilizationWindowSeconds)
        ? value.stabilizationWindowSeconds
        : null,
      SelectPolicy: isSet(value.selectPolicy) ? value.selectPolicy : null,
      Policies: Array.isArray(value.policies)
        ? value.policies.map((policy) => ({
            Type: asString(readPath(policy, 'type')),
            Value: asInteger(readPath(policy, 'value')),
            PeriodSeconds: asInteger(readPath(policy, 'periodSeconds')),
          }))
        : null,
      Tolerance: isSet(value.tolerance) ? writeQuantity(value.tolerance) : null,
    };
  };
  return { ScaleUp: rules(readPath(behavior, 'scaleUp')), ScaleDown: rules(readPath(behavior, 'scaleDown')) };
}

/** A stored autoscaling/v2 HPA as autoscaling/v1 shows it. */
export function hpaV2ToV1(hpa: KubeObject): KubeObject {
  const spec = asRecord(hpa.spec);
  const status = asRecord(hpa.status);
  const metrics = asArray(spec.metrics);
  const currentMetrics = asArray(status.currentMetrics);
  const conditions = asArray(status.conditions);

  const annotations: Record<string, string> = {};
  const otherMetrics = metrics.filter((metric) => !isCPUUtilizationMetric(metric));
  if (otherMetrics.length > 0)
    annotations[metricSpecsAnnotation] = stringifyGo(otherMetrics.map(metricSpecToV1));
  // All current metrics, the CPU one too: v1's percentage alone would lose its raw value.
  if (currentMetrics.length > 0) {
    annotations[metricStatusesAnnotation] = stringifyGo(currentMetrics.map(metricStatusToV1));
  }
  if (isSet(spec.behavior)) annotations[behaviorAnnotation] = stringifyGo(behaviorToInternal(spec.behavior));
  if (conditions.length > 0) annotations[conditionsAnnotation] = stringifyGo(conditions.map(conditionToV1));

  const out: KubeObject = { apiVersion: v1, kind };
  let metadata = hpa.metadata === undefined ? undefined : withoutRoundTripAnnotations(hpa.metadata);
  if (Object.keys(annotations).length > 0) {
    metadata ??= {};
    metadata.annotations = { ...asStringMap(metadata.annotations), ...annotations };
  }
  if (metadata !== undefined) out.metadata = metadata;

  if (hpa.spec !== undefined) {
    const v1Spec: Json = {};
    setIfSet(v1Spec, 'scaleTargetRef', spec.scaleTargetRef, structuredClone);
    setIfSet(v1Spec, 'minReplicas', spec.minReplicas);
    setIfSet(v1Spec, 'maxReplicas', spec.maxReplicas);
    // The first CPU metric with a utilization target; any others stay only in the annotation.
    const cpu = metrics.find(isCPUUtilizationMetric);
    if (cpu !== undefined) {
      v1Spec.targetCPUUtilizationPercentage = readPath(cpu, 'resource', 'target', 'averageUtilization');
    }
    out.spec = v1Spec;
  }

  if (hpa.status !== undefined) {
    const v1Status: Json = {};
    setIfSet(v1Status, 'observedGeneration', status.observedGeneration);
    setIfSet(v1Status, 'lastScaleTime', status.lastScaleTime);
    setIfSet(v1Status, 'currentReplicas', status.currentReplicas);
    setIfSet(v1Status, 'desiredReplicas', status.desiredReplicas);
    // Upstream's loop has no break: the last CPU utilization reading wins.
    for (const metric of currentMetrics) {
      const utilization = readPath(metric, 'resource', 'current', 'averageUtilization');
      if (
        readPath(metric, 'type') === 'Resource' &&
        readPath(metric, 'resource', 'name') === 'cpu' &&
        isSet(utilization)
      ) {
        v1Status.currentCPUUtilizationPercentage = utilization;
      }
    }
    out.status = v1Status;
  }
  return out;
}

// ── v1 → v2: decoding the annotations (Go's rules: any key case, null as absent, strict types) ──────

function crossVersionReferenceFromGo(reference: Struct | undefined): Json {
  const ref = reference ?? {};
  const out: Json = { kind: field.string(ref, 'kind') ?? '', name: field.string(ref, 'name') ?? '' };
  setIfNonEmpty(out, 'apiVersion', field.string(ref, 'apiVersion'));
  return out;
}

function labelSelectorFromGo(selector: Struct | undefined): Json | undefined {
  if (selector === undefined) return undefined;
  const out: Json = {};
  const labels = field.stringMap(selector, 'matchLabels');
  if (labels !== undefined && Object.keys(labels).length > 0) out.matchLabels = labels;
  const expressions = (field.list(selector, 'matchExpressions') ?? []).map((item) => {
    const requirement = decodeStruct(item) ?? {};
    const written: Json = {
      key: field.string(requirement, 'key') ?? '',
      operator: field.string(requirement, 'operator') ?? '',
    };
    const values = (field.list(requirement, 'values') ?? []).map((value) => {
      if (value !== null && typeof value !== 'string') throw new GoJsonError('values: expected strings');
      return value ?? '';
    });
    if (values.length > 0) written.values = values;
    return written;
  });
  if (expressions.length > 0) out.matchExpressions = expressions;
  return out;
}

function metricIdentifier(name: string | undefined, selector: Struct | undefined): Json {
  const out: Json = { name: name ?? '' };
  setIfSet(out, 'selector', labelSelectorFromGo(selector));
  return out;
}

/** A resource target: Utilization when a utilization is given, else AverageValue. */
function resourceTarget(source: Struct, utilizationKey: string, averageValueKey: string): Json {
  const averageUtilization = field.int32(source, utilizationKey);
  const averageValue = field.quantity(source, averageValueKey);
  const target: Json = { type: averageUtilization === undefined ? 'AverageValue' : 'Utilization' };
  setIfSet(target, 'averageValue', averageValue);
  setIfSet(target, 'averageUtilization', averageUtilization);
  return target;
}

function metricSpecToV2(item: unknown): Json {
  const spec = decodeStruct(item) ?? {};
  const out: Json = { type: field.string(spec, 'type') ?? '' };
  const object = field.struct(spec, 'object');
  if (object !== undefined) {
    const averageValue = field.quantity(object, 'averageValue');
    const value = field.quantity(object, 'targetValue') ?? '0';
    const target: Json = { type: averageValue === undefined ? 'Value' : 'AverageValue' };
    // v1 cannot leave targetValue out, so beside an average value a zero one means "unset".
    if (averageValue === undefined || !isZeroQuantity(value)) target.value = value;
    setIfSet(target, 'averageValue', averageValue);
    out.object = {
      describedObject: crossVersionReferenceFromGo(field.struct(object, 'target')),
      target,
      metric: metricIdentifier(field.string(object, 'metricName'), field.struct(object, 'selector')),
    };
  }
  const pods = field.struct(spec, 'pods');
  if (pods !== undefined) {
    out.pods = {
      metric: metricIdentifier(field.string(pods, 'metricName'), field.struct(pods, 'selector')),
      target: { type: 'AverageValue', averageValue: field.quantity(pods, 'targetAverageValue') ?? '0' },
    };
  }
  const resource = field.struct(spec, 'resource');
  if (resource !== undefined) {
    out.resource = {
      name: field.string(resource, 'name') ?? '',
      target: resourceTarget(resource, 'targetAverageUtilization', 'targetAverageValue'),
    };
  }
  const containerResource = field.struct(spec, 'containerResource');
  if (containerResource !== undefined) {
    out.containerResource = {
      name: field.string(containerResource, 'name') ?? '',
      target: resourceTarget(containerResource, 'targetAverageUtilization', 'targetAverageValue'),
      container: field.string(containerResource, 'container') ?? '',
    };
  }
  const external = field.struct(spec, 'external');
  if (external !== undefined) {
    const value = field.quantity(external, 'targetValue');
    const target: Json = { type: value === undefined ? 'AverageValue' : 'Value' };
    setIfSet(target, 'value', value);
    setIfSet(target, 'averageValue', field.quantity(external, 'targetAverageValue'));
    out.external = {
      metric: metricIdentifier(
        field.string(external, 'metricName'),
        field.struct(external, 'metricSelector'),
      ),
      target,
    };
  }
  return out;
}

/** A current resource value: v1 always has the raw average value, and may have the utilization. */
function resourceCurrent(source: Struct): Json {
  const current: Json = { averageValue: field.quantity(source, 'currentAverageValue') ?? '0' };
  setIfSet(current, 'averageUtilization', field.int32(source, 'currentAverageUtilization'));
  return current;
}

function metricStatusToV2(item: unknown): Json {
  const status = decodeStruct(item) ?? {};
  const out: Json = { type: field.string(status, 'type') ?? '' };
  const object = field.struct(status, 'object');
  if (object !== undefined) {
    const current: Json = { value: field.quantity(object, 'currentValue') ?? '0' };
    setIfSet(current, 'averageValue', field.quantity(object, 'averageValue'));
    out.object = {
      metric: metricIdentifier(field.string(object, 'metricName'), field.struct(object, 'selector')),
      current,
      describedObject: crossVersionReferenceFromGo(field.struct(object, 'target')),
    };
  }
  const pods = field.struct(status, 'pods');
  if (pods !== undefined) {
    out.pods = {
      metric: metricIdentifier(field.string(pods, 'metricName'), field.struct(pods, 'selector')),
      current: { averageValue: field.quantity(pods, 'currentAverageValue') ?? '0' },
    };
  }
  const resource = field.struct(status, 'resource');
  if (resource !== undefined) {
    out.resource = { name: field.string(resource, 'name') ?? '', current: resourceCurrent(resource) };
  }
  const containerResource = field.struct(status, 'containerResource');
  if (containerResource !== undefined) {
    out.containerResource = {
      name: field.string(containerResource, 'name') ?? '',
      current: resourceCurrent(containerResource),
      container: field.string(containerResource, 'container') ?? '',
    };
  }
  const external = field.struct(status, 'external');
  if (external !== undefined) {
    const current: Json = { value: field.quantity(external, 'currentValue') ?? '0' };
    setIfSet(current, 'averageValue', field.quantity(external, 'currentAverageValue'));
    out.external = {
      metric: metricIdentifier(
        field.string(external, 'metricName'),
        field.struct(external, 'metricSelector'),
      ),
      current,
    };
  }
  return out;
}

function conditionToV2(item: unknown): Json {
  const condition = decodeStruct(item) ?? {};
  const out: Json = {
    type: field.string(condition, 'type') ?? '',
    status: field.string(condition, 'status') ?? '',
  };
  setIfSet(out, 'lastTransitionTime', field.time(condition, 'lastTransitionTime'));
  setIfNonEmpty(out, 'reason', field.string(condition, 'reason'));
  setIfNonEmpty(out, 'message', field.string(condition, 'message'));
  return out;
}

function scalingRulesToV2(rules: Struct): Json {
  const out: Json = {};
  setIfSet(out, 'stabilizationWindowSeconds', field.int32(rules, 'StabilizationWindowSeconds'));
  setIfSet(out, 'selectPolicy', field.string(rules, 'SelectPolicy'));
  const policies = field.list(rules, 'Policies');
  if (policies !== undefined) {
    out.policies = policies.map((item) => {
      const policy = decodeStruct(item) ?? {};
      return {
        type: field.string(policy, 'Type') ?? '',
        value: field.int32(policy, 'Value') ?? 0,
        periodSeconds: field.int32(policy, 'PeriodSeconds') ?? 0,
      };
    });
  }
  setIfSet(out, 'tolerance', field.quantity(rules, 'Tolerance'));
  return out;
}

/** The behavior, or undefined when it decodes to the zero behavior (neither direction set). */
function behaviorToV2(value: unknown): Json | undefined {
  const behavior = decodeStruct(value) ?? {};
  const scaleUp = field.struct(behavior, 'ScaleUp');
  const scaleDown = field.struct(behavior, 'ScaleDown');
  if (scaleUp === undefined && scaleDown === undefined) return undefined;
  const out: Json = {};
  if (scaleUp !== undefined) out.scaleUp = scalingRulesToV2(scaleUp);
  if (scaleDown !== undefined) out.scaleDown = scalingRulesToV2(scaleDown);
  return out;
}

const decodeListOf =
  (convert: (item: unknown) => Json) =>
  (value: unknown): Json[] =>
    (decodeList(value) ?? []).map(convert);

function cpuUtilizationMetric(averageUtilization: unknown): Json {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } };
}

/** An autoscaling/v1 HPA in the autoscaling/v2 shape it is stored in. */
export function hpaV1ToV2(hpa: KubeObject): KubeObject {
  const spec = asRecord(hpa.spec);
  const status = asRecord(hpa.status);
  const annotations = asStringMap(hpa.metadata?.annotations);

  const out: KubeObject = { apiVersion: v2, kind };
  if (hpa.metadata !== undefined) out.metadata = withoutRoundTripAnnotations(hpa.metadata);

  const v2Spec: Json = {};
  setIfSet(v2Spec, 'scaleTargetRef', spec.scaleTargetRef, structuredClone);
  setIfSet(v2Spec, 'minReplicas', spec.minReplicas);
  setIfSet(v2Spec, 'maxReplicas', spec.maxReplicas);
  // The annotated metrics first, then the CPU target v1 states.
  const metrics = readAnnotation(annotations, metricSpecsAnnotation, decodeListOf(metricSpecToV2)) ?? [];
  if (isSet(spec.targetCPUUtilizationPercentage))
    metrics.push(cpuUtilizationMetric(spec.targetCPUUtilizationPercentage));
  if (metrics.length === 0) metrics.push(cpuUtilizationMetric(defaultCPUUtilization));
  v2Spec.metrics = metrics;
  setIfSet(v2Spec, 'behavior', readAnnotation(annotations, behaviorAnnotation, behaviorToV2));
  out.spec = v2Spec;

  const v2Status: Json = {};
  setIfSet(v2Status, 'observedGeneration', status.observedGeneration);
  setIfSet(v2Status, 'lastScaleTime', status.lastScaleTime);
  setIfSet(v2Status, 'currentReplicas', status.currentReplicas);
  setIfSet(v2Status, 'desiredReplicas', status.desiredReplicas);
  // The annotated statuses, when they decode, replace the CPU percentage: they carry more.
  const currentMetrics =
    readAnnotation(annotations, metricStatusesAnnotation, decodeListOf(metricStatusToV2)) ??
    (isSet(status.currentCPUUtilizationPercentage)
      ? [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              current: { averageUtilization: status.currentCPUUtilizationPercentage },
            },
          },
        ]
      : []);
  if (currentMetrics.length > 0) v2Status.currentMetrics = currentMetrics;
  const conditions = readAnnotation(annotations, conditionsAnnotation, decodeListOf(conditionToV2)) ?? [];
  if (conditions.length > 0) v2Status.conditions = conditions;
  if (hpa.status !== undefined || Object.keys(v2Status).length > 0) out.status = v2Status;
  return out;
}

/** A v2 HPA as it stands, a copy; v2 carries no round-trip annotations, so any found are dropped. */
function copyV2(hpa: KubeObject): KubeObject {
  const out: KubeObject = { ...structuredClone(hpa), apiVersion: v2, kind };
  if (hpa.metadata !== undefined) out.metadata = withoutRoundTripAnnotations(hpa.metadata);
  return out;
}

export const hpaConversion: Conversion = {
  storageVersion: v2,
  servedVersions,

  toStorage(object, fromApiVersion) {
    if (fromApiVersion === v2) return copyV2(object);
    if (fromApiVersion === v1) return hpaV1ToV2(object);
    throw unsupportedVersion(kind, fromApiVersion, servedVersions);
  },

  fromStorage(object, toApiVersion) {
    if (toApiVersion === v2) return copyV2(object);
    if (toApiVersion === v1) return hpaV2ToV1(object);
    throw unsupportedVersion(kind, toApiVersion, servedVersions);
  },
};
