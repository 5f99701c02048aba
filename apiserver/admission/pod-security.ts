/**
 * PodSecurity: the Pod Security Standards, chosen per namespace by its labels
 * (`pod-security.kubernetes.io/enforce|audit|warn`, each with an optional `-version`).
 *
 * - Pods (create, and updates that change an image): a violation of the `enforce` level is a 403,
 *   `pods "x" is forbidden: violates PodSecurity "restricted:latest": <reason> (<detail>), …`; a
 *   violation of the `warn` level is a `Warning` header, `would violate PodSecurity "…": …`.
 * - Workloads with a pod template (Deployments, Jobs, CronJobs …): warnings only — their pods are
 *   checked when they are made.
 * - Namespaces: labels that do not parse are a 422; making `enforce` stricter warns about the pods
 *   already there that would not be let in.
 *
 * The audit level has nowhere to go (Skiff keeps no audit annotations); it is parsed and ignored.
 * No namespace, user or runtime class is exempt.
 */
import { goQuote } from '../../api/go-quote.js';
import type { KubeObject } from '../../api/resource.js';
import { forbidden, invalid } from '../../api/status.js';
import { AdmissionObjects } from './objects.js';
import {
  compareLevels,
  evaluatePod,
  forbiddenDetail,
  forbiddenReason,
  type LevelVersion,
  levelVersionText,
  type PodMetadata,
  type PodSpec,
  policyFromLabels,
  sameLevelVersion,
} from './pod-security-policy.js';
import type { AdmissionPlugin, AdmissionPluginFactory, AdmissionRequest } from './types.js';

/** Where each kind with a pod template keeps it. */
const templatePaths: Readonly<Record<string, readonly string[]>> = {
  '/replicationcontrollers': ['spec', 'template'],
  '/podtemplates': ['template'],
  'apps/replicasets': ['spec', 'template'],
  'apps/deployments': ['spec', 'template'],
  'apps/statefulsets': ['spec', 'template'],
  'apps/daemonsets': ['spec', 'template'],
  'batch/jobs': ['spec', 'template'],
  'batch/cronjobs': ['spec', 'jobTemplate', 'spec', 'template'],
};

/** Upstream stops checking existing pods here when a namespace's enforce level changes. */
const maxPodsToCheck = 3000;

function readPath(object: unknown, path: readonly string[]): unknown {
  let value = object;
  for (const part of path) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

interface Container {
  image?: string;
}

/** Only image changes can loosen a stored pod's security (everything else checked is immutable). */
function isSignificantPodUpdate(pod: KubeObject, old: KubeObject): boolean {
  const spec = (pod.spec ?? {}) as {
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: (Container & { name?: string })[];
  };
  const oldSpec = (old.spec ?? {}) as typeof spec;
  const changed = (now: Container[] = [], before: Container[] = []) =>
    now.length !== before.length || now.some((container, index) => container.image !== before[index]?.image);
  if (changed(spec.containers, oldSpec.containers) || changed(spec.initContainers, oldSpec.initContainers)) {
    return true;
  }
  return (spec.ephemeralContainers ?? []).some((container) => {
    const previous = (oldSpec.ephemeralContainers ?? []).find(
      (candidate) => candidate.name === container.name,
    );
    return !previous || previous.image !== container.image;
  });
}

export class PodSecurity implements AdmissionPlugin {
  readonly name = 'PodSecurity';
  readonly #objects: AdmissionObjects;

  constructor(objects: AdmissionObjects) {
    this.#objects = objects;
  }

  async validate(request: AdmissionRequest): Promise<void> {
    const { resource, subresource } = request;
    if (subresource !== undefined) return;
    if (resource.group === '' && resource.plural === 'namespaces') return this.#validateNamespace(request);
    if (resource.group === '' && resource.plural === 'pods') return this.#validatePod(request);
    const path = templatePaths[`${resource.group}/${resource.plural}`];
    if (path) return this.#validateTemplate(request, path);
  }

  async #validatePod(request: AdmissionRequest): Promise<void> {
    const policy = await this.#namespacePolicy(request.namespace);
    if (!policy) return;
    const { enforce, warn } = policy;
    if (
      request.operation === 'UPDATE' &&
      request.oldObject &&
      !isSignificantPodUpdate(request.object, request.oldObject)
    ) {
      return;
    }
    const metadata = (request.object.metadata ?? {}) as PodMetadata;
    const spec = (request.object.spec ?? {}) as PodSpec;
    const enforced = evaluatePod(enforce, metadata, spec);
    if (enforced.some((result) => !result.allowed)) {
      throw forbidden(
        { group: '', resource: 'pods' },
        request.name,
        `violates PodSecurity ${goQuote(levelVersionText(enforce))}: ${forbiddenDetail(enforced)}`,
      );
    }
    this.#warn(request, warn, metadata, spec, sameLevelVersion(warn, enforce) ? enforced : undefined);
  }

  async #validateTemplate(request: AdmissionRequest, path: readonly string[]): Promise<void> {
    const policy = await this.#namespacePolicy(request.namespace);
    if (!policy) return;
    const template = readPath(request.object, path) as { metadata?: PodMetadata; spec?: PodSpec } | undefined;
    if (!template) return;
    this.#warn(request, policy.warn, template.metadata ?? {}, template.spec ?? {});
  }

  #warn(
    request: AdmissionRequest,
    warn: LevelVersion,
    metadata: PodMetadata,
    spec: PodSpec,
    known?: ReturnType<typeof evaluatePod>,
  ): void {
    const results = known ?? evaluatePod(warn, metadata, spec);
    if (results.every((result) => result.allowed)) return;
    request.warn(`would violate PodSecurity ${goQuote(levelVersionText(warn))}: ${forbiddenDetail(results)}`);
  }

  /** The namespace's policy; undefined when nothing is enforced or warned about. */
  async #namespacePolicy(namespace: string | undefined) {
    if (!namespace) return undefined;
    const found = await this.#objects.get('', 'namespaces', undefined, namespace);
    const { policy, errors } = policyFromLabels(found?.metadata?.labels);
    const quiet = policy.enforce.level === 'privileged' && policy.warn.level === 'privileged';
    return errors.length === 0 && quiet ? undefined : policy;
  }

  #validateNamespace(request: AdmissionRequest): void {
    const labels = request.object.metadata?.labels;
    const { policy, errors } = policyFromLabels(labels);
    const refuse = () => invalid({ group: '', kind: 'Namespace' }, request.name, errors);
    if (request.operation === 'CREATE') {
      if (errors.length > 0) throw refuse();
      return;
    }
    const old = policyFromLabels(request.oldObject?.metadata?.labels);
    // Labels that were already bad in the same way do not block other changes.
    if (
      errors.length > 0 &&
      (old.errors.length === 0 || JSON.stringify(errors) !== JSON.stringify(old.errors))
    ) {
      throw refuse();
    }
    const next = policy.enforce;
    const previous = old.policy.enforce;
    if (sameLevelVersion(next, previous) || next.level === 'privileged') return;
    if (next.version === previous.version && compareLevels(next.level, previous.level) < 1) return;
    for (const warning of this.#existingPodWarnings(request.name, next)) request.warn(warning);
  }

  /**
   * What the pods of a namespace would violate under a new enforce level: one line per distinct set
   * of reasons, naming the first pod by name and how many others share it. Pods of one controller
   * count once before any pod of a controller already seen.
   */
  #existingPodWarnings(namespace: string, enforce: LevelVersion): string[] {
    const pods = this.#objects.list('', 'pods', namespace);
    const seenControllers = new Set<string>();
    const first: KubeObject[] = [];
    const duplicates: KubeObject[] = [];
    for (const pod of pods) {
      const controller = pod.metadata?.ownerReferences?.find((reference) => reference.controller === true);
      if (!controller) first.push(pod);
      else if (seenControllers.has(controller.uid)) duplicates.push(pod);
      else {
        seenControllers.add(controller.uid);
        first.push(pod);
      }
    }
    const ordered = [...first, ...duplicates];
    const checked = ordered.slice(0, maxPodsToCheck);
    const byReason = new Map<string, { podName: string; count: number }>();
    for (const pod of checked) {
      const results = evaluatePod(enforce, (pod.metadata ?? {}) as PodMetadata, (pod.spec ?? {}) as PodSpec);
      if (results.every((result) => result.allowed)) continue;
      const reason = forbiddenReason(results);
      const name = pod.metadata?.name ?? '';
      const entry = byReason.get(reason);
      if (!entry) byReason.set(reason, { podName: name, count: 1 });
      else {
        entry.count++;
        if (name < entry.podName) entry.podName = name;
      }
    }
    const warnings: string[] = [];
    if (checked.length < ordered.length) {
      warnings.push(
        `new PodSecurity enforce level only checked against the first ${checked.length} of ${ordered.length} existing pods`,
      );
    }
    if (byReason.size > 0) {
      warnings.push(
        `existing pods in namespace ${goQuote(namespace)} violate the new PodSecurity enforce level ${goQuote(levelVersionText(enforce))}`,
      );
    }
    const podWarnings = [...byReason].map(([reason, { podName, count }]) => {
      if (count === 1) return `${podName}: ${reason}`;
      if (count === 2) return `${podName} (and 1 other pod): ${reason}`;
      return `${podName} (and ${count - 1} other pods): ${reason}`;
    });
    return [...warnings, ...podWarnings.sort()];
  }
}

export const podSecurityPlugin: AdmissionPluginFactory = (context) =>
  new PodSecurity(new AdmissionObjects(context.stores));
