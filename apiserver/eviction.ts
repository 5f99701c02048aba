/**
 * The Eviction API: `POST /api/v1/namespaces/{ns}/pods/{name}/eviction` with a policy/v1 (or v1beta1)
 * Eviction, as kube-apiserver's pods/eviction (pkg/registry/core/pod/storage/eviction.go). It deletes the
 * pod — unless that would take its PodDisruptionBudget below what it allows:
 *
 *   pod Pending, Succeeded, Failed or already being deleted → deleted, no budget asked
 *   no budget selects the pod                               → deleted
 *   two or more budgets select it                           → 500, "This pod has more than one …"
 *   the budget's status is older than its spec              → 429, "… is still being processed by the server."
 *   the budget allows no disruption                         → 429, "Cannot evict pod as it would violate
 *                                                              the pod's disruption budget." + DisruptionBudget cause
 *   otherwise the budget's status is written first — disruptionsAllowed − 1 and disruptedPods[pod] = now,
 *   compare-and-swap on the budget's resourceVersion, so two evictions cannot spend one disruption —
 *   and then the pod is deleted with the Eviction's deleteOptions.
 *
 * A pod that is not Ready does not spend a disruption when the budget is met anyway (or its
 * unhealthyPodEvictionPolicy is AlwaysAllow); its deletion then carries the pod's resourceVersion, so a
 * pod that became Ready meanwhile is refused (429) rather than deleted unaccounted. Before every deletion
 * the pod gets the DisruptionTarget condition (EvictionByEvictionAPI), as upstream. Success is 201 with a
 * Status of Success.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { labelSelectorAsSelector } from '../api/labels.js';
import type { KubeObject } from '../api/resource.js';
import {
  badRequest,
  conflict,
  forbidden,
  fromStatus,
  isStatusError,
  methodNotSupported,
  type StatusError,
  timeout,
  tooManyRequests,
} from '../api/status.js';
import {
  type PodDisruptionBudget,
  type PodDisruptionBudgetStatus,
  withDisruptionAllowedCondition,
} from '../controllers/disruption/pdb.js';
import type { RequestInfo } from './request-info.js';
import { formatTime, type ResourceStore } from './resource-store.js';
import { storeKey } from './rest-handler.js';

/** More granted-but-unconfirmed evictions than this and the budget refuses more (upstream's MaxDisruptedPodSize). */
const MAX_DISRUPTED_POD_SIZE = 2000;
/** Tries of a compare-and-swap that keeps losing to other writers (upstream's EvictionsRetry steps). */
const MAX_TRIES = 20;
const ACCEPTED_API_VERSIONS = new Set(['policy/v1', 'policy/v1beta1']);

interface Pod extends KubeObject {
  status?: { phase?: string; conditions?: { type?: string; status?: string }[]; [field: string]: unknown };
}

interface DeleteOptionsBody {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface EvictionContext {
  readonly stores: ReadonlyMap<string, ResourceStore>;
  /** Milliseconds since the epoch; the PDB's disruptedPods and the pod's condition are stamped with it. */
  readonly now?: () => number;
}

/** Serves one request to `pods/{name}/eviction`, from the server's resource route. */
export async function serveEviction(
  context: EvictionContext,
  info: RequestInfo,
  request: FastifyRequest,
  reply: FastifyReply,
  decodeBody: (request: FastifyRequest, expectedSchema?: string) => Promise<unknown>,
): Promise<unknown> {
  if (info.verb !== 'create' || info.name === undefined || info.namespace === undefined) {
    throw methodNotSupported({ group: '', resource: 'pods/eviction' }, info.verb);
  }
  const body = await decodeBody(request, 'io.k8s.api.policy.v1.Eviction');
  const query = request.query as Record<string, unknown>;
  const dryRun = ([] as unknown[]).concat(query.dryRun ?? []).map(String);
  try {
    const answer = await evictPod(context, info.namespace, info.name, body, dryRun);
    reply.code(201);
    return answer;
  } catch (error) {
    // client-go waits Retry-After before it tries again; a budget still being processed says 10 s.
    const retryAfter = isStatusError(error) ? error.status.details?.retryAfterSeconds : undefined;
    if (retryAfter) reply.header('Retry-After', String(retryAfter));
    throw error;
  }
}

/** Evicts `namespace/name` as the Eviction `body` asks; see the module comment. Resolves with the Status to answer. */
export async function evictPod(
  context: EvictionContext,
  namespace: string,
  name: string,
  body: unknown,
  requestDryRun: readonly string[] = [],
): Promise<Record<string, unknown>> {
  const pods = context.stores.get(storeKey('', 'v1', 'pods'));
  const budgets = context.stores.get(storeKey('policy', 'v1', 'poddisruptionbudgets'));
  if (!pods || !budgets)
    throw new Error('the eviction subresource needs the pods and poddisruptionbudgets stores');
  const now = context.now ?? Date.now;

  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the request body must be an Eviction object');
  }
  const eviction = body as KubeObject & { deleteOptions?: DeleteOptionsBody | null };
  if (eviction.apiVersion !== undefined && !ACCEPTED_API_VERSIONS.has(eviction.apiVersion)) {
    throw badRequest(`not a Eviction object: ${eviction.apiVersion}, Kind=${eviction.kind ?? ''}`);
  }
  if (eviction.kind !== undefined && eviction.kind !== 'Eviction') {
    throw badRequest(`not a Eviction object: ${eviction.apiVersion ?? ''}, Kind=${eviction.kind}`);
  }
  if (eviction.metadata?.name !== name)
    throw badRequest('name in URL does not match name in Eviction object');
  const requested = eviction.deleteOptions ?? {};
  const bodyDryRun = requested.dryRun ?? [];
  if (requestDryRun.length > 0 && bodyDryRun.length > 0 && requestDryRun.join() !== bodyDryRun.join()) {
    throw badRequest(
      `Non-matching dry-run options in request and content: [${requestDryRun.join(' ')}] and [${bodyDryRun.join(' ')}]`,
    );
  }
  const dryRun = [...requestDryRun, ...bodyDryRun].includes('All');
  const options = deleteOptionsOf(requested);
  const rvRequested = options.preconditions?.resourceVersion !== undefined;
  const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

  // Pods a budget has no say over: deleted at once, retrying when the pod changes under the delete.
  let pod: Pod | undefined;
  for (let tries = 1; ; tries++) {
    pod = (await pods.get(namespace, name)) as Pod;
    if (!canIgnoreBudget(pod)) break;
    const pinned =
      shouldEnforceResourceVersion(pod) && !rvRequested
        ? {
            ...options,
            preconditions: { ...options.preconditions, resourceVersion: pod.metadata?.resourceVersion },
          }
        : options;
    try {
      await markAndDelete(pods, namespace, name, pinned, dryRun, now());
      return success;
    } catch (error) {
      if (rvRequested || !isStatusError(error, 'Conflict') || tries >= MAX_TRIES) throw error;
    }
  }

  const matching = (await budgets.list({ namespace })).items.filter((candidate) => selects(candidate, pod));
  if (matching.length > 1) {
    throw fromStatus({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      code: 500,
    });
  }
  let pinToPod = false;
  const budget = matching[0] as PodDisruptionBudget | undefined;
  if (budget) {
    const status = budget.status ?? {};
    const ready = pod.status?.conditions?.some(
      (condition) => condition.type === 'Ready' && condition.status === 'True',
    );
    const budgetMet =
      (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0;
    if (!ready && (budgetMet || budget.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow')) {
      // An unready pod is no healthy pod lost: delete it without spending a disruption.
      pinToPod = true;
    } else {
      await spendDisruption(budgets, budget, name, dryRun, now);
    }
  }

  const deleteOptions =
    pinToPod && !rvRequested
      ? {
          ...options,
          preconditions: { ...options.preconditions, resourceVersion: pod.metadata?.resourceVersion },
        }
      : options;
  try {
    await markAndDelete(pods, namespace, name, deleteOptions, dryRun, now());
  } catch (error) {
    // The unready pod changed (became ready?) since it was judged: the client should ask again.
    if (isStatusError(error, 'Conflict') && pinToPod && !rvRequested) {
      throw stillProcessing(budget?.metadata?.name ?? '');
    }
    throw error;
  }
  return success;
}

/** Pending, finished or already-terminating pods: evicting them takes nothing a budget protects. */
function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return (
    phase === 'Succeeded' ||
    phase === 'Failed' ||
    phase === 'Pending' ||
    Boolean(pod.metadata?.deletionTimestamp)
  );
}

/** A Pending pod is deleted only as it was judged: it must not have started (and become ready) since. */
function shouldEnforceResourceVersion(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** Whether the budget selects the pod; a missing, empty or malformed selector selects nothing here. */
function selects(budget: KubeObject, pod: Pod): boolean {
  try {
    const selector = labelSelectorAsSelector(
      (budget as PodDisruptionBudget).spec?.selector as Parameters<typeof labelSelectorAsSelector>[0],
    );
    return !selector.empty && selector.matches(pod.metadata?.labels);
  } catch {
    return false;
  }
}

/**
 * Upstream's checkAndDecrement, as one compare-and-swap on the budget read: refused with 429 (or 403)
 * when it allows nothing, otherwise one disruption fewer and the pod recorded in disruptedPods. A lost
 * race reads the budget again.
 */
async function spendDisruption(
  budgets: ResourceStore,
  initial: PodDisruptionBudget,
  podName: string,
  dryRun: boolean,
  now: () => number,
): Promise<void> {
  const namespace = initial.metadata?.namespace;
  const name = initial.metadata?.name ?? '';
  let budget = initial;
  for (let tries = 1; ; tries++) {
    const status: PodDisruptionBudgetStatus = budget.status ?? {};
    if ((status.observedGeneration ?? 0) < (budget.metadata?.generation ?? 0)) throw stillProcessing(name);
    const allowed = status.disruptionsAllowed ?? 0;
    const resource = { group: 'policy', resource: 'poddisruptionbudget' };
    if (allowed < 0) throw forbidden(resource, name, 'pdb disruptions allowed is negative');
    if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
      throw forbidden(
        resource,
        name,
        'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
      );
    }
    if (allowed === 0) {
      throw withBudgetCause(
        tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0),
        `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
      );
    }
    if (dryRun) return;
    const at = now();
    let next: PodDisruptionBudgetStatus = { ...status, disruptionsAllowed: allowed - 1 };
    if (allowed - 1 === 0) next = withDisruptionAllowedCondition(next, at);
    next.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: formatTime(new Date(at)) };
    try {
      await budgets.update(
        namespace,
        name,
        (current) => ({ ...current, status: next }),
        (object) => object,
        {
          preconditionResourceVersion: budget.metadata?.resourceVersion ?? '',
        },
      );
      return;
    } catch (error) {
      if (!isStatusError(error, 'Conflict')) throw error;
      if (tries >= MAX_TRIES) {
        throw timeout(`couldn't update PodDisruptionBudget "${name}" due to conflicts`, 10);
      }
      budget = (await budgets.get(namespace, name)) as PodDisruptionBudget;
    }
  }
}

/** The DisruptionTarget condition, then the delete (upstream's addConditionAndDeletePod). */
async function markAndDelete(
  pods: ResourceStore,
  namespace: string,
  name: string,
  options: ReturnType<typeof deleteOptionsOf>,
  dryRun: boolean,
  now: number,
): Promise<void> {
  let deleteOptions = options;
  if (!dryRun) {
    const wanted = options.preconditions;
    const updated = await pods.update(
      namespace,
      name,
      (current) => {
        if (wanted?.uid && wanted.uid !== current.metadata?.uid) {
          throw conflict(
            { group: '', resource: 'pods' },
            name,
            `Precondition failed: UID in precondition: ${wanted.uid}, UID in object meta: ${current.metadata?.uid ?? ''}`,
          );
        }
        const pod = current as Pod;
        const conditions = [...(pod.status?.conditions ?? [])] as Record<string, unknown>[];
        const index = conditions.findIndex((condition) => condition.type === 'DisruptionTarget');
        const previous = index >= 0 ? conditions[index] : undefined;
        const condition = {
          type: 'DisruptionTarget',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime:
            previous?.status === 'True' && previous.lastTransitionTime
              ? previous.lastTransitionTime
              : formatTime(new Date(now)),
          reason: 'EvictionByEvictionAPI',
          message: 'Eviction API: evicting',
        };
        if (index >= 0) conditions[index] = condition;
        else conditions.push(condition);
        return { ...pod, status: { ...pod.status, conditions } };
      },
      (object) => object,
      {
        ...(wanted?.resourceVersion ? { preconditionResourceVersion: wanted.resourceVersion } : {}),
      },
    );
    // The condition was our own write: the delete must expect its resourceVersion, not the one asked for.
    if (wanted?.resourceVersion) {
      deleteOptions = {
        ...options,
        preconditions: { ...wanted, resourceVersion: updated.metadata?.resourceVersion },
      };
    }
  }
  await pods.delete(namespace, name, { ...deleteOptions, dryRun });
}

function deleteOptionsOf(requested: DeleteOptionsBody) {
  let propagationPolicy = requested.propagationPolicy;
  if (requested.orphanDependents !== undefined && propagationPolicy === undefined) {
    propagationPolicy = requested.orphanDependents ? 'Orphan' : 'Background';
  }
  const preconditions = {
    ...(requested.preconditions?.uid ? { uid: requested.preconditions.uid } : {}),
    ...(requested.preconditions?.resourceVersion
      ? { resourceVersion: requested.preconditions.resourceVersion }
      : {}),
  };
  return {
    ...(requested.gracePeriodSeconds !== undefined && requested.gracePeriodSeconds !== null
      ? { gracePeriodSeconds: requested.gracePeriodSeconds }
      : {}),
    ...(propagationPolicy ? { propagationPolicy } : {}),
    ...(Object.keys(preconditions).length > 0 ? { preconditions } : {}),
  } as {
    gracePeriodSeconds?: number;
    propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
    preconditions?: { uid?: string; resourceVersion?: string };
  };
}

/** 429 with Retry-After 10: the budget's status has not caught up with its spec (or the pod changed). */
function stillProcessing(budgetName: string): StatusError {
  return withBudgetCause(
    tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10),
    `The disruption budget ${budgetName} is still being processed by the server.`,
  );
}

/** The error with a DisruptionBudget cause, as upstream appends one to its 429s. */
function withBudgetCause(error: StatusError, message: string): StatusError {
  const status = error.status;
  return fromStatus({
    ...status,
    details: {
      ...status.details,
      causes: [...(status.details?.causes ?? []), { reason: 'DisruptionBudget', message }],
    },
    code: status.code,
  });
}
