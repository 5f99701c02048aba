/**
 * A pod with what every cycle asks of it worked out once: its key, labels, priority, resource requests,
 * host ports and parsed pod (anti-)affinity terms. Built when the pod enters the queue or the cache, so
 * filtering it against 5,000 nodes, or 5,000 nodes' pods against it, parses nothing.
 *
 * An affinity term selects pods by label in a set of namespaces, and counts them per topology domain
 * (the value of `topologyKey` on the node they run on):
 *
 *   { labelSelector: {matchLabels: {app: web}}, topologyKey: topology.kubernetes.io/zone }
 *     → pods labelled app=web in the pod's own namespace, grouped by zone
 *
 * `namespaces` and `namespaceSelector` both empty means the pod's own namespace; a namespaceSelector of
 * `{}` means every namespace (upstream's getNamespacesFromPodAffinityTerm).
 */
import { labelSelectorAsSelector, nothingSelector, type Selector } from '../../api/labels.js';
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from '../types.js';
import { computePodRequests, type Resource } from './resources.js';

export class AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  readonly selector: Selector;
  readonly namespaceSelector: Selector;
  readonly topologyKey: string;

  constructor(
    namespaces: ReadonlySet<string>,
    selector: Selector,
    namespaceSelector: Selector,
    topologyKey: string,
  ) {
    this.namespaces = namespaces;
    this.selector = selector;
    this.namespaceSelector = namespaceSelector;
    this.topologyKey = topologyKey;
  }

  /** Compiles a PodAffinityTerm of `pod`; a malformed selector throws a 400 StatusError. */
  static fromTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
    const namespaces = term.namespaces ?? [];
    const noSelector = term.namespaceSelector === undefined || term.namespaceSelector === null;
    return new AffinityTerm(
      new Set(namespaces.length === 0 && noSelector ? [pod.metadata?.namespace ?? ''] : namespaces),
      labelSelectorAsSelector(term.labelSelector ?? null),
      noSelector ? nothingSelector : labelSelectorAsSelector(term.namespaceSelector),
      term.topologyKey,
    );
  }

  /**
   * This term with the namespaces its namespaceSelector selects (`selected`) folded into `namespaces`,
   * so matching needs no namespace labels (upstream's mergeAffinityTermNamespacesIfNotEmpty). A `{}`
   * selector, which selects every namespace, is kept as it is.
   */
  withSelectedNamespaces(selected: Iterable<string>): AffinityTerm {
    if (this.namespaceSelector.empty || this.namespaceSelector === nothingSelector) return this;
    return new AffinityTerm(
      new Set([...this.namespaces, ...selected]),
      this.selector,
      nothingSelector,
      this.topologyKey,
    );
  }

  /** Whether `pod` is one of the pods this term selects; `namespaceLabels` are those of the pod's namespace. */
  matches(pod: PodInfo, namespaceLabels: Readonly<Record<string, string>> | undefined): boolean {
    if (!this.namespaces.has(pod.namespace) && !this.namespaceSelector.matches(namespaceLabels)) return false;
    return this.selector.matches(pod.labels);
  }
}

export interface WeightedAffinityTerm {
  readonly term: AffinityTerm;
  readonly weight: number;
}

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});
const NO_TERMS: readonly AffinityTerm[] = Object.freeze([]);
const NO_WEIGHTED_TERMS: readonly WeightedAffinityTerm[] = Object.freeze([]);

export class PodInfo {
  readonly pod: Pod;
  /** `namespace/name` */
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** spec.priority, which the Priority admission plugin set from the pod's PriorityClass. */
  readonly priority: number;
  readonly requests: Resource;
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  /** A term whose selector does not parse; such a pod cannot be scheduled (an Error in PreFilter). */
  readonly affinityError: string | undefined;

  constructor(pod: Pod, priority = pod.spec?.priority ?? 0) {
    this.pod = pod;
    this.namespace = pod.metadata?.namespace ?? '';
    this.name = pod.metadata?.name ?? '';
    this.key = `${this.namespace}/${this.name}`;
    this.uid = pod.metadata?.uid ?? '';
    this.labels = pod.metadata?.labels ?? EMPTY_LABELS;
    this.priority = priority;
    const { requests, nonZeroMilliCPU, nonZeroMemory } = computePodRequests(pod.spec);
    this.requests = requests;
    this.nonZeroMilliCPU = nonZeroMilliCPU;
    this.nonZeroMemory = nonZeroMemory;
    this.hostPorts = hostPortsOf(pod);

    const affinity = pod.spec?.affinity;
    let affinityError: string | undefined;
    const parse = (terms: readonly PodAffinityTerm[] | undefined): readonly AffinityTerm[] => {
      if (!terms || terms.length === 0) return NO_TERMS;
      try {
        return terms.map((term) => AffinityTerm.fromTerm(pod, term));
      } catch (error) {
        affinityError ??= error instanceof Error ? error.message : String(error);
        return NO_TERMS;
      }
    };
    const parseWeighted = (
      terms: readonly WeightedPodAffinityTerm[] | undefined,
    ): readonly WeightedAffinityTerm[] => {
      if (!terms || terms.length === 0) return NO_WEIGHTED_TERMS;
      try {
        return terms.map((term) => ({
          term: AffinityTerm.fromTerm(pod, term.podAffinityTerm),
          weight: term.weight,
        }));
      } catch (error) {
        affinityError ??= error instanceof Error ? error.message : String(error);
        return NO_WEIGHTED_TERMS;
      }
    };
    this.requiredAffinityTerms = parse(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
    this.requiredAntiAffinityTerms = parse(
      affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    );
    this.preferredAffinityTerms = parseWeighted(
      affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    );
    this.preferredAntiAffinityTerms = parseWeighted(
      affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    );
    this.affinityError = affinityError;
  }

  /** Whether the pod has any pod affinity or anti-affinity (upstream's podWithAffinity). */
  get hasAffinity(): boolean {
    const affinity = this.pod.spec?.affinity;
    return affinity?.podAffinity !== undefined || affinity?.podAntiAffinity !== undefined;
  }

  get hasRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinityTerms.length > 0;
  }

  /** The same pod at a new version, keeping the priority unless told otherwise. */
  withPod(pod: Pod, priority = this.priority): PodInfo {
    return new PodInfo(pod, priority);
  }

  /**
   * This pod placed on `nodeName` (what the cache assumes before the bind is confirmed). Only
   * spec.nodeName differs, so everything worked out from the spec is shared, not recomputed.
   */
  withNodeName(nodeName: string): PodInfo {
    const copy = Object.create(PodInfo.prototype) as PodInfo;
    Object.assign(copy, this);
    (copy as { pod: Pod }).pod = { ...this.pod, spec: { ...this.pod.spec, nodeName } };
    return copy;
  }
}

/** The host ports a pod's containers ask for (upstream's getContainerPorts with a hostPort). */
function hostPortsOf(pod: Pod): readonly HostPort[] {
  let ports: HostPort[] | undefined;
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (!port.hostPort || port.hostPort <= 0) continue;
      (ports ??= []).push({
        ip: port.hostIP || '0.0.0.0',
        protocol: port.protocol || 'TCP',
        port: port.hostPort,
      });
    }
  }
  return ports ?? [];
}
