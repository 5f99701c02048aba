/**
 * A pod's volumes on the node, as the kubelet's volume plugins make them:
 *
 *   emptyDir                 <pod>/volumes/kubernetes.io~empty-dir/<name> (medium Memory: a tmpfs)
 *   configMap, secret,       <pod>/volumes/kubernetes.io~<plugin>/<name>, written the way upstream's
 *   downwardAPI, projected   AtomicWriter does: the files in a `..<time>` directory, a `..data` link
 *                            swapped by rename, and each name a link into `..data` — so a change (they
 *                            are refreshed on every sync) appears to the container all at once
 *   hostPath                 the node's own path, after the check its `type` asks for
 *   persistentVolumeClaim    the bound PersistentVolume's hostPath or local path
 *
 * A projected serviceAccountToken is a TokenRequest bound to the pod, renewed at 80% of its life.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { Quantity } from '../api/quantity.js';
import type { KubeObject } from '../api/resource.js';
import { isStatusError } from '../api/status.js';
import { refFor } from '../client/refs.js';
import type { KubeClient } from '../client/types.js';
import type { Mount } from './cri/client.js';
import { expand, metadataField, resourceValue } from './env.js';
import type { Container, Pod } from './pod-types.js';

type Files = Map<string, { content: Buffer; mode: number }>;

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

interface DownwardItem {
  path: string;
  fieldRef?: { fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
  mode?: number;
}

interface ProjectionSource {
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardItem[] };
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
}

interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  hostPath?: { path: string; type?: string };
  configMap?: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  downwardAPI?: { items?: DownwardItem[]; defaultMode?: number };
  projected?: { sources?: ProjectionSource[]; defaultMode?: number };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}

const run = promisify(execFile);

export class PodVolumes {
  /** Tokens by `<pod uid>/<volume>/<path>`, with when to renew them. */
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();
  /** Where each pod's hostPath and claim volumes resolved to, by `<uid>/<volume>`. */
  private readonly paths = new Map<string, string>();

  constructor(private readonly options: { client: KubeClient; rootDir: string }) {}

  private volumeDir(uid: string, plugin: string, name: string): string {
    return join(this.options.rootDir, uid, 'volumes', `kubernetes.io~${plugin}`, name);
  }

  async setUp(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    for (const volume of (pod.spec.volumes ?? []) as Volume[]) {
      if (volume.emptyDir) await this.emptyDir(uid, volume);
      else if (volume.hostPath) this.paths.set(`${uid}/${volume.name}`, await hostPath(volume.hostPath));
      else if (volume.persistentVolumeClaim) {
        this.paths.set(
          `${uid}/${volume.name}`,
          await this.claimPath(pod, volume.persistentVolumeClaim.claimName),
        );
      } else {
        const files = await this.contents(pod, volume);
        if (files) {
          const dir = this.volumeDir(uid, pluginOf(volume), volume.name);
          await writeAtomically(dir, files, pod.spec.securityContext?.fsGroup);
        }
      }
    }
  }

  /** The container's mounts: each volumeMount at its path (subPath within the volume). */
  mounts(pod: Pod, container: Container, env: ReadonlyMap<string, string>): Mount[] {
    const uid = pod.metadata?.uid ?? '';
    const volumes = new Map(((pod.spec.volumes ?? []) as Volume[]).map((volume) => [volume.name, volume]));
    const mounts: Mount[] = [];
    for (const mount of (container.volumeMounts ?? []) as {
      name: string;
      mountPath: string;
      subPath?: string;
      subPathExpr?: string;
      readOnly?: boolean;
      mountPropagation?: string;
    }[]) {
      const volume = volumes.get(mount.name);
      if (!volume) continue;
      let base =
        this.paths.get(`${uid}/${volume.name}`) ?? this.volumeDir(uid, pluginOf(volume), volume.name);
      const subPath = mount.subPathExpr ? expand(mount.subPathExpr, env) : mount.subPath;
      if (subPath) {
        const inside = normalize(subPath);
        if (inside.startsWith('..') || inside.startsWith('/')) {
          throw new Error(`subPath ${subPath} escapes the volume ${volume.name}`);
        }
        base = join(base, inside);
      }
      const configured = volume.configMap || volume.secret || volume.downwardAPI || volume.projected;
      mounts.push({
        container_path: mount.mountPath,
        host_path: base,
        // Upstream mounts configMap, secret, downwardAPI and projected volumes read-only.
        readonly:
          mount.readOnly === true || Boolean(configured) || volume.persistentVolumeClaim?.readOnly === true,
        propagation:
          mount.mountPropagation === 'Bidirectional'
            ? 'PROPAGATION_BIDIRECTIONAL'
            : mount.mountPropagation === 'HostToContainer'
              ? 'PROPAGATION_HOST_TO_CONTAINER'
              : 'PROPAGATION_PRIVATE',
      });
    }
    return mounts;
  }

  async tearDown(uid: string): Promise<void> {
    const podDir = join(this.options.rootDir, uid);
    // tmpfs emptyDirs first: removing files under a live mount would leave the mount behind.
    const mounts = (await readFile('/proc/self/mounts', 'utf8').catch(() => ''))
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((point) => point.startsWith(`${podDir}/`))
      .sort()
      .reverse();
    for (const point of mounts) await run('umount', ['-l', point]).catch(() => undefined);
    await rm(podDir, { recursive: true, force: true });
    for (const key of [...this.tokens.keys(), ...this.paths.keys()]) {
      if (key.startsWith(`${uid}/`)) {
        this.tokens.delete(key);
        this.paths.delete(key);
      }
    }
  }

  private async emptyDir(uid: string, volume: Volume): Promise<void> {
    const dir = this.volumeDir(uid, 'empty-dir', volume.name);
    await mkdir(dir, { recursive: true });
    if (volume.emptyDir?.medium === 'Memory' && !(await isMountPoint(dir))) {
      const size = volume.emptyDir.sizeLimit
        ? `,size=${Quantity.parse(volume.emptyDir.sizeLimit).value()}`
        : '';
      await run('mount', ['-t', 'tmpfs', '-o', `mode=0777${size}`, 'tmpfs', dir]);
    }
    // Anyone in the pod may write there, whatever user its containers run as.
    await chmod(dir, 0o777);
  }

  private async claimPath(pod: Pod, claimName: string): Promise<string> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const claim = await this.options.client.get<
      KubeObject & { spec?: { volumeName?: string }; status?: { phase?: string } }
    >(refFor('PersistentVolumeClaim', namespace), claimName);
    const volumeName = claim.spec?.volumeName;
    if (!volumeName || claim.status?.phase !== 'Bound') {
      throw new Error(`persistentvolumeclaim "${claimName}" is not bound yet`);
    }
    const volume = await this.options.client.get<
      KubeObject & { spec?: { hostPath?: { path: string; type?: string }; local?: { path: string } } }
    >(refFor('PersistentVolume'), volumeName);
    if (volume.spec?.hostPath)
      return hostPath({ ...volume.spec.hostPath, type: volume.spec.hostPath.type ?? 'DirectoryOrCreate' });
    if (volume.spec?.local) return volume.spec.local.path;
    throw new Error(
      `persistentvolume "${volumeName}" is neither hostPath nor local: this node cannot mount it`,
    );
  }

  /** What a configMap, secret, downwardAPI or projected volume holds now; undefined for other kinds. */
  private async contents(pod: Pod, volume: Volume): Promise<Files | undefined> {
    const files: Files = new Map();
    const namespace = pod.metadata?.namespace ?? 'default';
    if (volume.configMap) {
      const mode = volume.configMap.defaultMode ?? 0o644;
      await this.addObject(files, 'ConfigMap', namespace, volume.configMap.name, volume.configMap, mode);
    } else if (volume.secret) {
      const mode = volume.secret.defaultMode ?? 0o644;
      await this.addObject(files, 'Secret', namespace, volume.secret.secretName, volume.secret, mode);
    } else if (volume.downwardAPI) {
      addDownward(files, pod, volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode ?? 0o644);
    } else if (volume.projected) {
      const mode = volume.projected.defaultMode ?? 0o644;
      for (const source of volume.projected.sources ?? []) {
        if (source.configMap)
          await this.addObject(files, 'ConfigMap', namespace, source.configMap.name, source.configMap, mode);
        if (source.secret)
          await this.addObject(files, 'Secret', namespace, source.secret.name, source.secret, mode);
        if (source.downwardAPI) addDownward(files, pod, source.downwardAPI.items ?? [], mode);
        if (source.serviceAccountToken) {
          const token = await this.token(pod, volume.name, source.serviceAccountToken);
          files.set(source.serviceAccountToken.path, { content: Buffer.from(token), mode });
        }
      }
    } else return undefined;
    return files;
  }

  private async addObject(
    files: Files,
    kind: 'ConfigMap' | 'Secret',
    namespace: string,
    name: string,
    source: { items?: KeyToPath[]; optional?: boolean },
    mode: number,
  ): Promise<void> {
    let object:
      | (KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> })
      | undefined;
    try {
      object = await this.options.client.get(refFor(kind, namespace), name);
    } catch (error) {
      if (!isStatusError(error, 'NotFound')) throw error;
      if (source.optional) return;
      throw new Error(`${kind === 'ConfigMap' ? 'configmap' : 'secret'} "${name}" not found`);
    }
    const values = new Map<string, Buffer>();
    for (const [key, value] of Object.entries(object?.data ?? {})) {
      values.set(key, kind === 'Secret' ? Buffer.from(value, 'base64') : Buffer.from(value));
    }
    for (const [key, value] of Object.entries(object?.binaryData ?? {}))
      values.set(key, Buffer.from(value, 'base64'));
    const items: KeyToPath[] = source.items ?? [...values.keys()].map((key) => ({ key, path: key }));
    for (const item of items) {
      const content = values.get(item.key);
      if (content === undefined) {
        if (source.optional) continue;
        throw new Error(
          `${kind === 'ConfigMap' ? 'configmap' : 'secret'} references non-existent config key: ${item.key}`,
        );
      }
      files.set(item.path, { content, mode: item.mode ?? mode });
    }
  }

  private async token(
    pod: Pod,
    volume: string,
    source: NonNullable<ProjectionSource['serviceAccountToken']>,
  ): Promise<string> {
    const key = `${pod.metadata?.uid}/${volume}/${source.path}`;
    const cached = this.tokens.get(key);
    if (cached && cached.renewAt > Date.now()) return cached.token;
    const expirationSeconds = source.expirationSeconds ?? 3600;
    const account = pod.spec.serviceAccountName || 'default';
    const request = await this.options.client.create<KubeObject & { status?: { token?: string } }>(
      refFor('ServiceAccount', pod.metadata?.namespace),
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: { name: account },
        spec: {
          ...(source.audience ? { audiences: [source.audience] } : {}),
          expirationSeconds,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name, uid: pod.metadata?.uid },
        },
      },
      { subresource: 'token' },
    );
    const token = request.status?.token ?? '';
    this.tokens.set(key, { token, renewAt: Date.now() + expirationSeconds * 800 });
    return token;
  }
}

function pluginOf(volume: Volume): string {
  if (volume.emptyDir) return 'empty-dir';
  if (volume.configMap) return 'configmap';
  if (volume.secret) return 'secret';
  if (volume.downwardAPI) return 'downward-api';
  if (volume.projected) return 'projected';
  return 'unknown';
}

function addDownward(files: Files, pod: Pod, items: DownwardItem[], mode: number): void {
  for (const item of items) {
    let value = '';
    if (item.fieldRef) {
      const field = metadataField(pod, item.fieldRef.fieldPath);
      if (field === undefined)
        throw new Error(`unsupported fieldPath in a downwardAPI volume: ${item.fieldRef.fieldPath}`);
      value = field;
    } else if (item.resourceFieldRef) {
      const container =
        pod.spec.containers.find((c) => c.name === item.resourceFieldRef?.containerName) ??
        pod.spec.containers[0]!;
      value = resourceValue(pod, container, item.resourceFieldRef, { allocatable: {} });
    }
    files.set(item.path, { content: Buffer.from(value), mode: item.mode ?? mode });
  }
}

/** The node path of a hostPath volume, after the check its type asks for (upstream's messages). */
async function hostPath(source: { path: string; type?: string }): Promise<string> {
  const type = source.type ?? '';
  const found = await stat(source.path).catch(() => undefined);
  switch (type) {
    case 'DirectoryOrCreate':
      if (!found) await mkdir(source.path, { recursive: true, mode: 0o755 });
      else if (!found.isDirectory())
        throw new Error(`hostPath type check failed: ${source.path} is not a directory`);
      break;
    case 'FileOrCreate':
      if (!found) {
        await mkdir(dirname(source.path), { recursive: true });
        await writeFile(source.path, '', { mode: 0o644 });
      } else if (!found.isFile()) throw new Error(`hostPath type check failed: ${source.path} is not a file`);
      break;
    case 'Directory':
      if (!found?.isDirectory())
        throw new Error(`hostPath type check failed: ${source.path} is not a directory`);
      break;
    case 'File':
      if (!found?.isFile()) throw new Error(`hostPath type check failed: ${source.path} is not a file`);
      break;
    case 'Socket':
      if (!found?.isSocket())
        throw new Error(`hostPath type check failed: ${source.path} is not a socket file`);
      break;
    case 'CharDevice':
      if (!found?.isCharacterDevice())
        throw new Error(`hostPath type check failed: ${source.path} is not a character device`);
      break;
    case 'BlockDevice':
      if (!found?.isBlockDevice())
        throw new Error(`hostPath type check failed: ${source.path} is not a block device`);
      break;
  }
  return source.path;
}

async function isMountPoint(dir: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  return mounts.split('\n').some((line) => line.split(' ')[1] === dir);
}

/**
 * Writes `files` into `dir` as upstream's AtomicWriter does, unless they are what is there already:
 * a fresh `..<time>` directory, then `..data` re-pointed at it by one rename, then the user-visible
 * names as links into `..data`, then the old directory removed.
 */
export async function writeAtomically(dir: string, files: Files, fsGroup?: number): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  const current = await readlink(join(dir, '..data')).catch(() => undefined);
  if (current && (await sameFiles(join(dir, current), files))) return false;
  const stamp = new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_').replace('Z', '');
  const fresh = `..${stamp}.${randomBytes(4).toString('hex')}`;
  for (const [path, file] of files) {
    const target = join(dir, fresh, path);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, file.content, { mode: file.mode });
    await chmod(target, file.mode);
    if (fsGroup !== undefined) await chown(target, 0, fsGroup);
  }
  await mkdir(join(dir, fresh), { recursive: true, mode: 0o755 });
  const swap = join(dir, '..data_tmp');
  await rm(swap, { force: true });
  await symlink(fresh, swap);
  await rename(swap, join(dir, '..data'));
  const names = new Set([...files.keys()].map((path) => path.split('/')[0]!));
  for (const name of names) {
    const link = join(dir, name);
    if (!(await lstat(link).catch(() => undefined))) await symlink(join('..data', name), link);
  }
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('..')) {
      if (entry !== '..data' && entry !== fresh) await rm(join(dir, entry), { recursive: true, force: true });
    } else if (!names.has(entry)) await rm(join(dir, entry), { recursive: true, force: true });
  }
  return true;
}

async function sameFiles(dir: string, files: Files): Promise<boolean> {
  for (const [path, file] of files) {
    const content = await readFile(join(dir, path)).catch(() => undefined);
    if (!content?.equals(file.content)) return false;
    if (((await stat(join(dir, path))).mode & 0o777) !== file.mode) return false;
  }
  const count = async (at: string): Promise<number> => {
    let total = 0;
    for (const entry of await readdir(at, { withFileTypes: true })) {
      total += entry.isDirectory() ? await count(join(at, entry.name)) : 1;
    }
    return total;
  };
  return (await count(dir).catch(() => -1)) === files.size;
}
