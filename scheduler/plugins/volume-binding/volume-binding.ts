/**
 * VolumeBinding, lite (PreFilter, Filter, Reserve, PreBind): a pod's PersistentVolumeClaims must be
 * usable on the node chosen for it.
 *
 *   claim bound to a volume             the volume's node affinity must match the node
 *                                       ("node(s) didn't match PersistentVolume's node affinity")
 *   claim unbound, class Immediate      the pod waits until something binds it
 *   (or no class)                       ("pod has unbound immediate PersistentVolumeClaims")
 *   claim unbound, WaitForFirstConsumer a free volume of its class, big enough, with the access modes,
 *                                       whose node affinity matches the node — a node-local volume —
 *                                       or, if the class provisions dynamically, any node
 *                                       ("node(s) didn't find available persistent volumes to bind")
 *
 * Reserve sets the chosen volumes aside so the next pod does not take them; PreBind binds them (the
 * volume's claimRef, the claim's volumeName and both Bound) — what kube-controller-manager's PV
 * controller would finish, which Skiff does not run — and for dynamic provisioning annotates the claim
 * with `volume.kubernetes.io/selected-node` for the provisioner, without waiting for it.
 *
 * Generic ephemeral volumes count as claims named `<pod>-<volume>`.
 */
import type { KubeObject } from '../../../api/resource.js';
import { compileNodeSelector } from '../../../api/scheduling/node-affinity.js';
import type { Informer } from '../../../client/informer.js';
import { refFor } from '../../../client/refs.js';
import type { CycleState } from '../../framework/cycle-state.js';
import {
  ActionType,
  type EnqueueExtensions,
  type FilterPlugin,
  type FrameworkHandle,
  type PreBindPlugin,
  type PreFilterPlugin,
  type ReservePlugin,
} from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { wholeValue } from '../../framework/resources.js';
import { errorStatus, type Result, skip, unresolvable } from '../../framework/status.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../types.js';

export const VOLUME_BINDING = 'VolumeBinding';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = "node(s) didn't match PersistentVolume's node affinity";
export const ERR_UNBOUND_IMMEDIATE_PVC = 'pod has unbound immediate PersistentVolumeClaims';
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

const STATE_KEY = `PreFilter${VOLUME_BINDING}`;
const RESERVED_KEY = `Reserve${VOLUME_BINDING}`;

interface ClaimsState {
  readonly bound: readonly { claim: PersistentVolumeClaim; volume: PersistentVolume }[];
  /** Unbound WaitForFirstConsumer claims, with their class. */
  readonly toBind: readonly { claim: PersistentVolumeClaim; storageClass: StorageClass | undefined }[];
}

/** What Reserve chose: volumes for claims, and claims left to a provisioner. */
interface Reservation {
  readonly bindings: readonly { claim: PersistentVolumeClaim; volume: PersistentVolume }[];
  readonly provision: readonly PersistentVolumeClaim[];
}

export function volumeBinding(
  _args: unknown,
  handle: FrameworkHandle,
): PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin & EnqueueExtensions {
  const claims: Informer<PersistentVolumeClaim> = handle.informers.informerFor(
    refFor('PersistentVolumeClaim'),
  );
  const volumes: Informer<PersistentVolume> = handle.informers.informerFor(refFor('PersistentVolume'));
  const classes: Informer<StorageClass> = handle.informers.informerFor(refFor('StorageClass'));
  /** Volumes set aside by Reserve, until the informer shows them claimed: volume name → claim key. */
  const assumed = new Map<string, string>();
  volumes.addEventHandler({
    onUpdate: (_old, volume) => {
      if (volume.spec?.claimRef?.name) assumed.delete(volume.metadata?.name ?? '');
    },
    onDelete: (volume) => assumed.delete(volume.metadata?.name ?? ''),
  });

  const matchesNode = (volume: PersistentVolume, node: Node): boolean => {
    const required = volume.spec?.nodeAffinity?.required;
    return !required || compileNodeSelector(required).matches(node);
  };

  /** Free volumes fitting `claim` on `node`, smallest first; `taken` are already chosen this cycle. */
  const findVolume = (
    claim: PersistentVolumeClaim,
    node: Node,
    taken: ReadonlySet<string>,
  ): PersistentVolume | undefined => {
    const claimKey = `${claim.metadata?.namespace}/${claim.metadata?.name}`;
    const wanted = wholeValue(claim.spec?.resources?.requests?.storage ?? 0);
    const className = claim.spec?.storageClassName ?? '';
    const modes = claim.spec?.accessModes ?? [];
    const mode = claim.spec?.volumeMode ?? 'Filesystem';
    let best: PersistentVolume | undefined;
    let bestSize = Number.POSITIVE_INFINITY;
    for (const volume of volumes.store.list()) {
      const name = volume.metadata?.name ?? '';
      if (taken.has(name) || volume.metadata?.deletionTimestamp) continue;
      const ref = volume.spec?.claimRef;
      if (ref?.name && !(ref.namespace === claim.metadata?.namespace && ref.name === claim.metadata?.name))
        continue;
      const holder = assumed.get(name);
      if (holder !== undefined && holder !== claimKey) continue;
      if ((volume.spec?.storageClassName ?? '') !== className) continue;
      if ((volume.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
      const offered = volume.spec?.accessModes ?? [];
      if (!modes.every((accessMode) => offered.includes(accessMode))) continue;
      const size = wholeValue(volume.spec?.capacity?.storage ?? 0);
      if (size < wanted || size >= bestSize) continue;
      if (!matchesNode(volume, node)) continue;
      best = volume;
      bestSize = size;
    }
    return best;
  };

  const provisions = (storageClass: StorageClass | undefined) =>
    storageClass !== undefined && !!storageClass.provisioner && storageClass.provisioner !== NO_PROVISIONER;

  /** Volumes for the claims to bind on `node`; undefined if one claim finds none and cannot be provisioned. */
  const choose = (claimsState: ClaimsState, node: Node): Reservation | undefined => {
    const taken = new Set<string>();
    const bindings: { claim: PersistentVolumeClaim; volume: PersistentVolume }[] = [];
    const provision: PersistentVolumeClaim[] = [];
    for (const { claim, storageClass } of claimsState.toBind) {
      const volume = findVolume(claim, node, taken);
      if (volume) {
        taken.add(volume.metadata?.name ?? '');
        bindings.push({ claim, volume });
      } else if (provisions(storageClass)) {
        provision.push(claim);
      } else {
        return undefined;
      }
    }
    return { bindings, provision };
  };

  return {
    name: VOLUME_BINDING,
    preFilter(state: CycleState, pod: PodInfo): Result {
      const names = claimNames(pod);
      if (names.length === 0) return skip();
      const bound: { claim: PersistentVolumeClaim; volume: PersistentVolume }[] = [];
      const toBind: { claim: PersistentVolumeClaim; storageClass: StorageClass | undefined }[] = [];
      let unboundImmediate = false;
      for (const name of names) {
        const claim = claims.store.getByName(pod.namespace, name);
        if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (claim.metadata?.deletionTimestamp)
          return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        const volumeName = claim.spec?.volumeName;
        if (volumeName) {
          const volume = volumes.store.getByName(undefined, volumeName);
          if (!volume) return unresolvable(`persistentvolume "${volumeName}" not found`);
          bound.push({ claim, volume });
          continue;
        }
        const storageClass = classes.store.getByName(undefined, claim.spec?.storageClassName ?? '');
        if (storageClass?.volumeBindingMode === 'WaitForFirstConsumer') toBind.push({ claim, storageClass });
        else unboundImmediate = true;
      }
      if (unboundImmediate) return unresolvable(ERR_UNBOUND_IMMEDIATE_PVC);
      state.write(STATE_KEY, { bound, toBind } satisfies ClaimsState);
      return undefined;
    },
    filter(state, _pod, node: NodeInfo) {
      const claimsState = state.read<ClaimsState>(STATE_KEY);
      if (!claimsState || !node.node) return undefined;
      const reasons: string[] = [];
      if (claimsState.bound.some(({ volume }) => !matchesNode(volume, node.node!)))
        reasons.push(ERR_REASON_NODE_CONFLICT);
      if (claimsState.toBind.length > 0 && !choose(claimsState, node.node))
        reasons.push(ERR_REASON_BIND_CONFLICT);
      return reasons.length > 0 ? unresolvable(...reasons) : undefined;
    },
    reserve(state, pod, nodeName) {
      const claimsState = state.read<ClaimsState>(STATE_KEY);
      if (!claimsState || claimsState.toBind.length === 0) return undefined;
      const node = handle.snapshot.get(nodeName)?.node;
      const reservation = node ? choose(claimsState, node) : undefined;
      if (!reservation) return unresolvable(ERR_REASON_BIND_CONFLICT);
      for (const { claim, volume } of reservation.bindings) {
        assumed.set(volume.metadata?.name ?? '', `${pod.namespace}/${claim.metadata?.name}`);
      }
      state.write(RESERVED_KEY, reservation);
      return undefined;
    },
    unreserve(state) {
      const reservation = state.read<Reservation>(RESERVED_KEY);
      for (const { volume } of reservation?.bindings ?? []) assumed.delete(volume.metadata?.name ?? '');
      state.delete(RESERVED_KEY);
    },
    async preBind(state, _pod, nodeName) {
      const reservation = state.read<Reservation>(RESERVED_KEY);
      if (!reservation) return skip();
      try {
        for (const { claim, volume } of reservation.bindings) await bind(handle, claim, volume);
        for (const claim of reservation.provision) {
          await handle.client.patch(
            refFor('PersistentVolumeClaim', claim.metadata?.namespace),
            claim.metadata?.name ?? '',
            'merge',
            {
              metadata: { annotations: { 'volume.kubernetes.io/selected-node': nodeName } },
            },
          );
        }
        return undefined;
      } catch (error) {
        return errorStatus(error);
      }
    },
    eventsToRegister: () => [
      { event: { resource: 'PersistentVolumeClaim', action: ActionType.Add | ActionType.UpdateOther } },
      { event: { resource: 'PersistentVolume', action: ActionType.Add | ActionType.UpdateOther } },
      { event: { resource: 'StorageClass', action: ActionType.Add | ActionType.UpdateOther } },
      { event: { resource: 'Node', action: ActionType.Add | ActionType.UpdateNodeLabel } },
    ],
  } satisfies PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin & EnqueueExtensions;
}

/** The claims a pod uses: its persistentVolumeClaim volumes and its generic ephemeral volumes. */
function claimNames(pod: PodInfo): string[] {
  const names: string[] = [];
  for (const volume of pod.pod.spec?.volumes ?? []) {
    if (volume.persistentVolumeClaim?.claimName) names.push(volume.persistentVolumeClaim.claimName);
    else if (volume.ephemeral && volume.name) names.push(`${pod.name}-${volume.name}`);
  }
  return names;
}

/** Binds `volume` to `claim` as the PV controller would: claimRef, volumeName, then both Bound. */
async function bind(
  handle: FrameworkHandle,
  claim: PersistentVolumeClaim,
  volume: PersistentVolume,
): Promise<void> {
  const namespace = claim.metadata?.namespace ?? '';
  const claimName = claim.metadata?.name ?? '';
  const volumeName = volume.metadata?.name ?? '';
  const volumeRef = refFor('PersistentVolume');
  const claimRef = refFor('PersistentVolumeClaim', namespace);
  const boundVolume = await handle.client.patch<KubeObject>(volumeRef, volumeName, 'merge', {
    metadata: { annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } },
    spec: {
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace,
        name: claimName,
        uid: claim.metadata?.uid,
        resourceVersion: claim.metadata?.resourceVersion,
      },
    },
  });
  await handle.client.patch(claimRef, claimName, 'merge', {
    metadata: {
      annotations: {
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
      },
    },
    spec: { volumeName },
  });
  await handle.client.patch(
    volumeRef,
    boundVolume.metadata?.name ?? volumeName,
    'merge',
    { status: { phase: 'Bound' } },
    {
      subresource: 'status',
    },
  );
  await handle.client.patch(
    claimRef,
    claimName,
    'merge',
    { status: { phase: 'Bound' } },
    { subresource: 'status' },
  );
}
