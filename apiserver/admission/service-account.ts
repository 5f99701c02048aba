/**
 * ServiceAccount: every pod runs as a ServiceAccount of its namespace, and gets its API credentials
 * mounted unless it or its account opts out.
 *
 * On create (mutating): a pod naming no account gets `default`; the account must exist (403
 * `error looking up service account ns/name: serviceaccount "name" not found` otherwise); unless
 * `automountServiceAccountToken: false` (the pod's choice first, then the account's), the pod gets the
 * projected volume `kube-api-access-<5 random>` — a bound token (`token`, 3607 s), the cluster CA from
 * the `kube-root-ca.crt` ConfigMap (`ca.crt`) and the pod's namespace (`namespace`) — mounted read-only
 * at /var/run/secrets/kubernetes.io/serviceaccount in every init container and container that has
 * nothing mounted there yet; a pod without imagePullSecrets gets its account's.
 *
 * Validating: mirror pods (the kubelet's static pods) may reference no account, Secret or token; and
 * an account annotated `kubernetes.io/enforce-mountable-secrets: "true"` limits the pod to the Secrets
 * it lists (volumes, env, envFrom) and the pull secrets it lists.
 *
 * A namespace's `default` account is made by the serviceaccount controller just after the namespace:
 * a pod created in that moment waits for it (upstream retries its lookup for about a second and a
 * half), here on the ServiceAccount watch cache, up to `defaultAccountWaitMs`.
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../api/resource.js';
import { forbidden } from '../../api/status.js';
import { type Clock, systemClock } from '../../client/clock.js';
import { AdmissionObjects } from './objects.js';
import type { AdmissionPlugin, AdmissionPluginFactory, AdmissionRequest } from './types.js';

export const defaultServiceAccountName = 'default';
export const serviceAccountVolumePrefix = 'kube-api-access-';
export const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Upstream's warn-only bound token lifetime: an hour and seven seconds. */
export const boundTokenExpirationSeconds = 3607;
const enforceMountableSecretsAnnotation = 'kubernetes.io/enforce-mountable-secrets';
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';
/** The characters of generated name suffixes (no vowels, no look-alike digits). */
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

interface Reference {
  name?: string;
}

interface Container {
  name?: string;
  volumeMounts?: { name?: string; readOnly?: boolean; mountPath?: string }[];
  env?: { name?: string; valueFrom?: { secretKeyRef?: Reference } }[];
  envFrom?: { secretRef?: Reference }[];
}

interface Volume {
  name?: string;
  secret?: { secretName?: string };
  projected?: { sources?: { serviceAccountToken?: unknown; secret?: Reference }[] };
}

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: Reference[];
  volumes?: Volume[];
  containers?: Container[];
  initContainers?: Container[];
}

interface ServiceAccount extends KubeObject {
  automountServiceAccountToken?: boolean;
  secrets?: Reference[];
  imagePullSecrets?: Reference[];
}

export interface ServiceAccountPluginOptions {
  readonly objects: AdmissionObjects;
  readonly clock?: Clock;
  /** How long a pod waits for its namespace's `default` account to appear. Default 5 s. */
  readonly defaultAccountWaitMs?: number;
  /** The 5-character suffix of the token volume's name (tests fix it). */
  readonly randomSuffix?: () => string;
}

/** The projected volume upstream mounts in place of the old token Secrets. */
export function tokenVolume(name: string): Volume & Record<string, unknown> {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: boundTokenExpirationSeconds, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
      // Set explicitly, as upstream does, so the volume reads the same before and after defaulting.
      defaultMode: 420,
    },
  } as Volume & Record<string, unknown>;
}

function randomSuffix(): string {
  let suffix = '';
  for (const byte of randomBytes(5)) suffix += suffixAlphabet[byte % suffixAlphabet.length];
  return suffix;
}

/** Go's strconv.ParseBool, for the enforce annotation. */
function parseBool(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

export class ServiceAccountAdmission implements AdmissionPlugin {
  readonly name = 'ServiceAccount';
  readonly #objects: AdmissionObjects;
  readonly #clock: Clock;
  readonly #waitMs: number;
  readonly #suffix: () => string;

  constructor(options: ServiceAccountPluginOptions) {
    this.#objects = options.objects;
    this.#clock = options.clock ?? systemClock;
    this.#waitMs = options.defaultAccountWaitMs ?? 5000;
    this.#suffix = options.randomSuffix ?? randomSuffix;
  }

  async admit(request: AdmissionRequest): Promise<void> {
    if (!isPodCreate(request) || isMirrorPod(request.object)) return;
    const spec = (request.object.spec ??= {}) as PodSpec;
    // The deprecated `serviceAccount` is the older spelling of the same field.
    const accountName = spec.serviceAccountName || spec.serviceAccount || defaultServiceAccountName;
    spec.serviceAccountName = accountName;
    spec.serviceAccount = accountName;
    const account = await this.#account(request, accountName);
    const automount = spec.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true;
    if (automount) this.#mountToken(spec);
    if ((spec.imagePullSecrets ?? []).length === 0 && (account.imagePullSecrets ?? []).length > 0) {
      spec.imagePullSecrets = (account.imagePullSecrets ?? []).map((secret) => ({ name: secret.name ?? '' }));
    }
  }

  async validate(request: AdmissionRequest): Promise<void> {
    if (!isPodCreate(request)) return;
    const spec = (request.object.spec ?? {}) as PodSpec;
    if (isMirrorPod(request.object)) {
      checkMirrorPod(request, spec);
      return;
    }
    const accountName = spec.serviceAccountName;
    if (!accountName) {
      throw podForbidden(
        request,
        `no service account specified for pod ${request.namespace}/${request.name}`,
      );
    }
    const account = await this.#account(request, accountName);
    if (parseBool(account.metadata?.annotations?.[enforceMountableSecretsAnnotation])) {
      const problem = secretReferenceProblem(account, accountName, spec);
      if (problem) throw podForbidden(request, problem);
    }
  }

  async #account(request: AdmissionRequest, name: string): Promise<ServiceAccount> {
    const namespace = request.namespace ?? '';
    let account = (await this.#objects.get('', 'serviceaccounts', namespace, name)) as
      | ServiceAccount
      | undefined;
    if (!account && name === defaultServiceAccountName) account = await this.#waitFor(namespace, name);
    if (!account) {
      throw podForbidden(
        request,
        `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`,
      );
    }
    return account;
  }

  /** Resolves with the account once the watch cache has it, or undefined after the wait. */
  #waitFor(namespace: string, name: string): Promise<ServiceAccount | undefined> {
    const store = this.#objects.store('', 'serviceaccounts');
    if (!store || this.#waitMs <= 0) return Promise.resolve(undefined);
    const key = store.keyFor(namespace, name);
    return new Promise((resolve) => {
      let cancelTimer = () => {};
      const watcher = {
        onEvent: (event: { type: string; key: string; object: KubeObject }) => {
          if (event.key === key && event.type !== 'DELETED') finish(store.present(event.object));
        },
        onEnd: () => finish(undefined),
      };
      const finish = (account: KubeObject | undefined) => {
        cancelTimer();
        store.cache.unwatch(watcher);
        resolve(account as ServiceAccount | undefined);
      };
      // Snapshot and subscription are one step: an account created in between is in one or the other.
      const started = store.cache.watch(undefined, watcher);
      const present = started?.initial.find((entry) => entry.key === key);
      if (present) {
        finish(store.present(present.object));
        return;
      }
      cancelTimer = this.#clock.setTimer(() => finish(undefined), this.#waitMs);
    });
  }

  #mountToken(spec: PodSpec): void {
    const volumes = spec.volumes ?? [];
    const existing = volumes.find((volume) => volume.name?.startsWith(serviceAccountVolumePrefix));
    const volumeName = existing?.name ?? `${serviceAccountVolumePrefix}${this.#suffix()}`;
    let needed = false;
    for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      const mounts = (container.volumeMounts ??= []);
      // Something already mounted at the path (a user's own token) wins.
      if (mounts.some((mount) => mount.mountPath === serviceAccountMountPath)) continue;
      mounts.push({ name: volumeName, readOnly: true, mountPath: serviceAccountMountPath });
      needed = true;
    }
    if (!existing && needed) spec.volumes = [...volumes, tokenVolume(volumeName)];
  }
}

function isPodCreate(request: AdmissionRequest): boolean {
  const { resource, subresource, operation } = request;
  return (
    resource.group === '' && resource.plural === 'pods' && subresource === undefined && operation === 'CREATE'
  );
}

function isMirrorPod(pod: KubeObject): boolean {
  return pod.metadata?.annotations?.[mirrorPodAnnotation] !== undefined;
}

function podForbidden(request: AdmissionRequest, message: string) {
  return forbidden({ group: '', resource: 'pods' }, request.name, message);
}

function checkMirrorPod(request: AdmissionRequest, spec: PodSpec): void {
  if (spec.serviceAccountName) throw podForbidden(request, 'a mirror pod may not reference service accounts');
  if (secretNames(spec).length > 0) throw podForbidden(request, 'a mirror pod may not reference secrets');
  const tokens = (spec.volumes ?? []).some((volume) =>
    (volume.projected?.sources ?? []).some((source) => source.serviceAccountToken !== undefined),
  );
  if (tokens) throw podForbidden(request, 'a mirror pod may not use ServiceAccountToken volume projections');
}

/** Every Secret a pod names: volumes, projected volumes, env, envFrom and pull secrets. */
function secretNames(spec: PodSpec): string[] {
  const names: string[] = [];
  for (const reference of spec.imagePullSecrets ?? []) if (reference.name) names.push(reference.name);
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const from of container.envFrom ?? []) if (from.secretRef?.name) names.push(from.secretRef.name);
    for (const variable of container.env ?? []) {
      const name = variable.valueFrom?.secretKeyRef?.name;
      if (name) names.push(name);
    }
  }
  for (const volume of spec.volumes ?? []) {
    if (volume.secret?.secretName) names.push(volume.secret.secretName);
    for (const source of volume.projected?.sources ?? [])
      if (source.secret?.name) names.push(source.secret.name);
  }
  return names;
}

/** The first Secret reference the account does not allow, as upstream words it; undefined if none. */
function secretReferenceProblem(
  account: ServiceAccount,
  accountName: string,
  spec: PodSpec,
): string | undefined {
  const mountable = new Set((account.secrets ?? []).map((secret) => secret.name));
  for (const volume of spec.volumes ?? []) {
    const name = volume.secret?.secretName;
    if (name !== undefined && !mountable.has(name)) {
      return `volume with secret.secretName="${name}" is not allowed because service account ${accountName} does not reference that secret`;
    }
  }
  const groups: [string, Container[] | undefined][] = [
    ['init container', spec.initContainers],
    ['container', spec.containers],
  ];
  for (const [label, containers] of groups) {
    for (const container of containers ?? []) {
      for (const variable of container.env ?? []) {
        const name = variable.valueFrom?.secretKeyRef?.name;
        if (name !== undefined && !mountable.has(name)) {
          return `${label} ${container.name} with envVar ${variable.name} referencing secret.secretName="${name}" is not allowed because service account ${accountName} does not reference that secret`;
        }
      }
      for (const from of container.envFrom ?? []) {
        const name = from.secretRef?.name;
        if (name !== undefined && !mountable.has(name)) {
          return `${label} ${container.name} with envFrom referencing secret.secretName="${name}" is not allowed because service account ${accountName} does not reference that secret`;
        }
      }
    }
  }
  const pullable = new Set((account.imagePullSecrets ?? []).map((secret) => secret.name));
  const pulls = spec.imagePullSecrets ?? [];
  for (const [index, reference] of pulls.entries()) {
    if (!pullable.has(reference.name)) {
      return `imagePullSecrets[${index}].name="${reference.name ?? ''}" is not allowed because service account ${accountName} does not reference that imagePullSecret`;
    }
  }
  return undefined;
}

export const serviceAccountPlugin: AdmissionPluginFactory = (context) =>
  new ServiceAccountAdmission({
    objects: new AdmissionObjects(context.stores),
    ...(context.clock ? { clock: context.clock } : {}),
  });
