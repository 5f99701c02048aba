/**
 * The Node authorizer: a kubelet, authenticated as `system:node:<name>` in the group `system:nodes`,
 * reaches only what its own node needs, as upstream's NodeAuthorizer decides it.
 *
 *   secrets, configmaps        get/list/watch of one named object that a pod bound to the node uses
 *   persistentvolumeclaims     get one its pods use; update/patch its status
 *   persistentvolumes          get one bound to a claim its pods use
 *   serviceaccounts/token      create a token for an account one of its pods runs as
 *   pods                       get one bound to it; list/watch only with `spec.nodeName=<name>`;
 *                              create/delete (mirror pods), status, eviction
 *   nodes                      get/list/watch its own Node only; create, update, patch, status
 *   leases                     in kube-node-lease, its own Lease (any name on create)
 *   anything else              the static rules of the system:node role (bootstrap-policy.ts)
 *
 * What it refuses it answers `no-opinion` with a reason, never `deny`, as upstream: RBAC decides next,
 * and since upstream binds system:node to nobody, a node gets nothing more there unless an admin
 * grants it. Requests from anyone else are `no-opinion` with no reason.
 *
 * "Uses" is read from a graph of pods, claims and volumes kept from the API server's watch caches:
 *
 *   node ← pod ← secret | configmap | serviceaccount | pvc ← pv ← secret
 *
 * A pod joins the graph once bound (spec.nodeName set); a secret is reachable from node A when some pod
 * bound to A names it (volumes, projected sources, env, envFrom, imagePullSecrets), or names a claim
 * whose volume references it.
 */

import type { Attributes, AuthorizationResult, Authorizer, SubjectRules, UserInfo } from '../../api/auth.js';
import { parseFieldSelector } from '../../api/fields.js';
import { goQuote } from '../../api/go-quote.js';
import type { KubeObject } from '../../api/resource.js';
import { nodeRules } from './rbac/bootstrap-policy.js';
import { rulesAllow } from './rbac/rule-matching.js';

export const nodesGroup = 'system:nodes';
export const nodeUsernamePrefix = 'system:node:';
export const nodeLeaseNamespace = 'kube-node-lease';

/** The node a user is, if a node (upstream's default NodeIdentifier); '' for a node with no name. */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.username.startsWith(nodeUsernamePrefix) || !user.groups.includes(nodesGroup)) return undefined;
  return user.username.slice(nodeUsernamePrefix.length);
}

type VertexType = 'pod' | 'secret' | 'configmap' | 'serviceaccount' | 'pvc' | 'pv';

/**
 * Which pods (by node) use which objects. Written only through `setPod`/`removePod`,
 * `setClaim`/`removeClaim` and `setVolume`/`removeVolume` (fed from the watch caches).
 */
export class NodeGraph {
  /** `namespace/name` → node of each bound pod. */
  readonly #podNode = new Map<string, string>();
  /** `namespace/name` of a pod → the vertices it uses (`secret/ns/name` …). */
  readonly #podUses = new Map<string, string[]>();
  /** vertex → pods using it. */
  readonly #usedBy = new Map<string, Set<string>>();
  /** claim `namespace/name` → volume name it is bound to. */
  readonly #claimVolume = new Map<string, string>();
  /** volume name → claims bound to it. */
  readonly #volumeClaims = new Map<string, Set<string>>();
  /** volume name → secrets (`namespace/name`) it references. */
  readonly #volumeSecrets = new Map<string, string[]>();
  /** secret `namespace/name` → volumes referencing it. */
  readonly #secretVolumes = new Map<string, Set<string>>();

  setPod(pod: KubeObject): void {
    const key = objectKey(pod);
    this.removePod(pod);
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName) return;
    this.#podNode.set(key, nodeName);
    const uses = podReferences(pod);
    this.#podUses.set(key, uses);
    for (const vertex of uses) addTo(this.#usedBy, vertex, key);
  }

  removePod(pod: KubeObject): void {
    const key = objectKey(pod);
    this.#podNode.delete(key);
    for (const vertex of this.#podUses.get(key) ?? []) removeFrom(this.#usedBy, vertex, key);
    this.#podUses.delete(key);
  }

  setClaim(claim: KubeObject): void {
    this.removeClaim(claim);
    const volume = (claim.spec as { volumeName?: string } | undefined)?.volumeName;
    if (!volume) return;
    const key = objectKey(claim);
    this.#claimVolume.set(key, volume);
    addTo(this.#volumeClaims, volume, key);
  }

  removeClaim(claim: KubeObject): void {
    const key = objectKey(claim);
    const volume = this.#claimVolume.get(key);
    if (volume === undefined) return;
    this.#claimVolume.delete(key);
    removeFrom(this.#volumeClaims, volume, key);
  }

  setVolume(volume: KubeObject): void {
    this.removeVolume(volume);
    const name = volume.metadata?.name ?? '';
    const secrets = volumeSecretReferences(volume);
    if (secrets.length === 0) return;
    this.#volumeSecrets.set(name, secrets);
    for (const secret of secrets) addTo(this.#secretVolumes, secret, name);
  }

  removeVolume(volume: KubeObject): void {
    const name = volume.metadata?.name ?? '';
    for (const secret of this.#volumeSecrets.get(name) ?? []) removeFrom(this.#secretVolumes, secret, name);
    this.#volumeSecrets.delete(name);
  }

  /** Forgets every pod (claims, volumes) before a watch cache's reload is fed in again. */
  clear(kind: 'pods' | 'claims' | 'volumes'): void {
    if (kind === 'pods') {
      this.#podNode.clear();
      this.#podUses.clear();
      this.#usedBy.clear();
    } else if (kind === 'claims') {
      this.#claimVolume.clear();
      this.#volumeClaims.clear();
    } else {
      this.#volumeSecrets.clear();
      this.#secretVolumes.clear();
    }
  }

  /** Whether the object is used by a pod bound to `nodeName` (directly, or a secret through a volume). */
  hasPath(nodeName: string, type: VertexType, namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    switch (type) {
      case 'pod':
        return this.#podNode.get(key) === nodeName;
      case 'pv':
        return [...(this.#volumeClaims.get(name) ?? [])].some((claim) => {
          const [claimNamespace = '', claimName = ''] = claim.split('/');
          return this.hasPath(nodeName, 'pvc', claimNamespace, claimName);
        });
      default: {
        const pods = this.#usedBy.get(`${type}/${key}`);
        if (pods) for (const pod of pods) if (this.#podNode.get(pod) === nodeName) return true;
        if (type !== 'secret') return false;
        return [...(this.#secretVolumes.get(key) ?? [])].some((volume) =>
          this.hasPath(nodeName, 'pv', '', volume),
        );
      }
    }
  }
}

export interface NodeAuthorizerOptions {
  readonly graph: NodeGraph;
}

export class NodeAuthorizer implements Authorizer {
  readonly graph: NodeGraph;

  constructor(options: NodeAuthorizerOptions) {
    this.graph = options.graph;
  }

  authorize(attributes: Attributes): Promise<AuthorizationResult> {
    return Promise.resolve(this.decide(attributes));
  }

  decide(attributes: Attributes): AuthorizationResult {
    const nodeName = nodeIdentity(attributes.user);
    if (nodeName === undefined) return noOpinion('');
    if (nodeName === '') return noOpinion(`unknown node for user ${goQuote(attributes.user.username)}`);
    if (attributes.resourceRequest) {
      const group = attributes.apiGroup ?? '';
      const resource = attributes.resource ?? '';
      if (group === '') {
        switch (resource) {
          case 'secrets':
            return this.#readNamespacedObject(nodeName, 'secret', attributes);
          case 'configmaps':
            return this.#readNamespacedObject(nodeName, 'configmap', attributes);
          case 'persistentvolumeclaims':
            if (attributes.subresource === 'status') return this.#statusUpdate(nodeName, 'pvc', attributes);
            return this.#get(nodeName, 'pvc', attributes);
          case 'persistentvolumes':
            return this.#get(nodeName, 'pv', attributes);
          case 'serviceaccounts':
            return this.#createToken(nodeName, attributes);
          case 'nodes':
            return authorizeNode(nodeName, attributes);
          case 'pods':
            return this.#pod(nodeName, attributes);
        }
      } else if (group === 'coordination.k8s.io' && resource === 'leases') {
        return authorizeLease(nodeName, attributes);
      } else if (group === 'storage.k8s.io' && resource === 'volumeattachments') {
        // Skiff serves no VolumeAttachments, so none is ever related to a node.
        return this.#get(nodeName, undefined, attributes);
      } else if (group === 'storage.k8s.io' && resource === 'csinodes') {
        return authorizeCSINode(nodeName, attributes);
      }
    }
    if (rulesAllow(attributes, nodeRules)) return { decision: 'allow', reason: '' };
    return noOpinion('');
  }

  /** Nodes' rules cannot be listed: SelfSubjectRulesReview says so, as upstream. */
  async rulesFor(user: UserInfo): Promise<SubjectRules> {
    if (nodeIdentity(user) === undefined)
      return { resourceRules: [], nonResourceRules: [], incomplete: false };
    return {
      resourceRules: [],
      nonResourceRules: [],
      incomplete: true,
      evaluationError: 'node authorizer does not support user rule resolution',
    };
  }

  #readNamespacedObject(nodeName: string, type: VertexType, attributes: Attributes): AuthorizationResult {
    if (!['get', 'list', 'watch'].includes(attributes.verb)) {
      return noOpinion('can only read resources of this type');
    }
    if (attributes.subresource) return noOpinion('cannot read subresource');
    if (!attributes.namespace) return noOpinion('can only read namespaced object of this type');
    return this.#related(nodeName, type, attributes);
  }

  #get(nodeName: string, type: VertexType | undefined, attributes: Attributes): AuthorizationResult {
    if (attributes.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (attributes.subresource) return noOpinion('cannot get subresource');
    return this.#related(nodeName, type, attributes);
  }

  #statusUpdate(nodeName: string, type: VertexType, attributes: Attributes): AuthorizationResult {
    if (attributes.verb !== 'update' && attributes.verb !== 'patch') {
      return noOpinion('can only get/update/patch this type');
    }
    if (attributes.subresource !== 'status') return noOpinion('can only update status subresource');
    return this.#related(nodeName, type, attributes);
  }

  #createToken(nodeName: string, attributes: Attributes): AuthorizationResult {
    if (attributes.verb !== 'create' || !attributes.name) {
      return noOpinion('can only create tokens for individual service accounts');
    }
    if (attributes.subresource !== 'token') {
      return noOpinion('can only create token subresource of serviceaccount');
    }
    return this.#related(nodeName, 'serviceaccount', attributes);
  }

  #pod(nodeName: string, attributes: Attributes): AuthorizationResult {
    const subresource = attributes.subresource ?? '';
    const verb = attributes.verb;
    if (subresource === '') {
      if (verb === 'get') return this.#get(nodeName, 'pod', attributes);
      if (verb === 'list' || verb === 'watch') {
        if (selectsField(attributes.fieldSelector, 'spec.nodeName', nodeName)) return allowed;
        if (attributes.name) return this.#related(nodeName, 'pod', attributes);
        return noOpinion('can only list/watch pods with spec.nodeName field selector');
      }
      // Mirror pods; NodeRestriction admission keeps them to the node's own.
      if (verb === 'create' || verb === 'delete') return allowed;
    } else if (subresource === 'status' && (verb === 'update' || verb === 'patch')) {
      return allowed;
    } else if (subresource === 'eviction' && verb === 'create') {
      return allowed;
    }
    return noOpinion('');
  }

  #related(nodeName: string, type: VertexType | undefined, attributes: Attributes): AuthorizationResult {
    if (!attributes.name) return noOpinion('No Object name found');
    if (type && this.graph.hasPath(nodeName, type, attributes.namespace ?? '', attributes.name))
      return allowed;
    return noOpinion(`no relationship found between node '${nodeName}' and this object`);
  }
}

const allowed: AuthorizationResult = { decision: 'allow', reason: '' };

function noOpinion(reason: string): AuthorizationResult {
  return { decision: 'no-opinion', reason };
}

function authorizeNode(nodeName: string, attributes: Attributes): AuthorizationResult {
  const subresource = attributes.subresource ?? '';
  const verb = attributes.verb;
  if (subresource === '') {
    // Creating and changing its own Node is left to NodeRestriction admission, as upstream.
    if (verb === 'create' || verb === 'update' || verb === 'patch') return allowed;
    if (verb === 'get' || verb === 'list' || verb === 'watch') {
      const name = attributes.name || selectedName(attributes.fieldSelector);
      if (name === nodeName) return allowed;
      if (!name) return noOpinion(`node '${nodeName}' cannot read all nodes, only its own Node object`);
      return noOpinion(`node '${nodeName}' cannot read '${name}', only its own Node object`);
    }
  } else if (subresource === 'status' && (verb === 'update' || verb === 'patch')) {
    return allowed;
  }
  return noOpinion('');
}

function authorizeLease(nodeName: string, attributes: Attributes): AuthorizationResult {
  const verb = attributes.verb;
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(verb)) {
    return noOpinion('can only get, create, update, patch, or delete a node lease');
  }
  if (attributes.namespace !== nodeLeaseNamespace) {
    return noOpinion(`can only access leases in the "${nodeLeaseNamespace}" system namespace`);
  }
  // A create names no object yet; NodeRestriction admission checks the name, as upstream.
  if (verb !== 'create' && attributes.name !== nodeName) {
    return noOpinion('can only access node lease with the same name as the requesting node');
  }
  return allowed;
}

function authorizeCSINode(nodeName: string, attributes: Attributes): AuthorizationResult {
  const verb = attributes.verb;
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(verb)) {
    return noOpinion('can only get, create, update, patch, or delete a CSINode');
  }
  if (attributes.subresource) return noOpinion('cannot authorize CSINode subresources');
  if (verb !== 'create' && attributes.name !== nodeName) {
    return noOpinion('can only access CSINode with the same name as the requesting node');
  }
  return allowed;
}

/** Whether a raw field selector demands `field=value` (a malformed one demands nothing). */
function selectsField(selector: string | undefined, field: string, value: string): boolean {
  if (!selector) return false;
  try {
    return parseFieldSelector(selector).requirements.some(
      (requirement) =>
        requirement.field === field && requirement.operator === '=' && requirement.value === value,
    );
  } catch {
    return false;
  }
}

/** The name a list or watch selects with `metadata.name=NAME`, as upstream's RequestInfo reads it. */
function selectedName(selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  try {
    return parseFieldSelector(selector).exactMatch('metadata.name');
  } catch {
    return undefined;
  }
}

function objectKey(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  set?.delete(value);
  if (set?.size === 0) index.delete(key);
}

type Reference = { name?: string } | undefined;

/** Everything a pod uses that the graph tracks, as `type/namespace/name` vertices. */
export function podReferences(pod: KubeObject): string[] {
  const namespace = pod.metadata?.namespace ?? '';
  const podName = pod.metadata?.name ?? '';
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const uses = new Set<string>();
  const use = (type: VertexType, name: unknown) => {
    if (typeof name === 'string' && name !== '') uses.add(`${type}/${namespace}/${name}`);
  };
  const secretRef = (reference: unknown) => use('secret', (reference as Reference)?.name);
  if (typeof spec.serviceAccountName === 'string') use('serviceaccount', spec.serviceAccountName);
  for (const reference of asList(spec.imagePullSecrets)) secretRef(reference);
  const containers = [
    ...asList(spec.containers),
    ...asList(spec.initContainers),
    ...asList(spec.ephemeralContainers),
  ];
  for (const container of containers) {
    for (const env of asList(container.env)) {
      const from = (env.valueFrom ?? {}) as Record<string, Reference>;
      secretRef(from.secretKeyRef);
      use('configmap', from.configMapKeyRef?.name);
    }
    for (const source of asList(container.envFrom)) {
      secretRef(source.secretRef);
      use('configmap', (source.configMapRef as Reference)?.name);
    }
  }
  for (const volume of asList(spec.volumes)) {
    const field = (name: string) => (volume[name] ?? undefined) as Record<string, unknown> | undefined;
    use('secret', field('secret')?.secretName);
    use('configmap', field('configMap')?.name);
    for (const source of asList(field('projected')?.sources)) {
      secretRef(source.secret);
      use('configmap', (source.configMap as Reference)?.name);
    }
    use('pvc', field('persistentVolumeClaim')?.claimName);
    // A generic ephemeral volume's claim is named after the pod and the volume.
    if (field('ephemeral')) use('pvc', `${podName}-${String(volume.name ?? '')}`);
    use('secret', field('azureFile')?.secretName);
    for (const type of ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos']) {
      secretRef(field(type)?.secretRef);
    }
    secretRef(field('csi')?.nodePublishSecretRef);
  }
  return [...uses];
}

/** The secrets (`namespace/name`) a PersistentVolume's source references. */
function volumeSecretReferences(volume: KubeObject): string[] {
  const spec = (volume.spec ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const found = new Set<string>();
  const add = (reference: unknown, defaultNamespace = '') => {
    const ref = reference as { name?: string; namespace?: string } | undefined;
    if (ref?.name) found.add(`${ref.namespace || defaultNamespace}/${ref.name}`);
  };
  const claimNamespace = (volume.spec as { claimRef?: { namespace?: string } } | undefined)?.claimRef
    ?.namespace;
  if (spec.azureFile?.secretName) {
    found.add(
      `${String(spec.azureFile.secretNamespace || claimNamespace || 'default')}/${String(spec.azureFile.secretName)}`,
    );
  }
  for (const type of ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos']) {
    add(spec[type]?.secretRef, claimNamespace ?? '');
  }
  const csi = spec.csi;
  if (csi) {
    for (const member of [
      'controllerPublishSecretRef',
      'controllerExpandSecretRef',
      'nodePublishSecretRef',
      'nodeStageSecretRef',
      'nodeExpandSecretRef',
    ]) {
      add(csi[member]);
    }
  }
  return [...found];
}

function asList(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? (value.filter((item) => item && typeof item === 'object') as Record<string, unknown>[])
    : [];
}
