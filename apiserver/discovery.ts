import { allVerbs, type ResourceDefinition } from '../api/resource.js';

/**
 * Discovery documents, all derived from the resource definitions: aggregated discovery (`/api`, `/apis`
 * with apidiscovery.k8s.io v2 or v2beta1), and the legacy documents (`APIVersions`, `APIGroupList`,
 * `APIGroup`, per-group-version `APIResourceList`) that older clients and `auth can-i`/`drain` still read.
 * Within a group the first version listed is the preferred one.
 */
interface GroupVersions {
  readonly group: string;
  readonly versions: Map<string, ResourceDefinition[]>;
}

export class Discovery {
  readonly #groups: GroupVersions[] = [];

  constructor(resources: readonly ResourceDefinition[]) {
    for (const resource of resources) {
      let group = this.#groups.find((candidate) => candidate.group === resource.group);
      if (!group) {
        group = { group: resource.group, versions: new Map() };
        this.#groups.push(group);
      }
      const list = group.versions.get(resource.version) ?? [];
      list.push(resource);
      group.versions.set(resource.version, list);
    }
  }

  /** `/api` or `/apis` as an APIGroupDiscoveryList. */
  aggregated(core: boolean, version: 'v2' | 'v2beta1') {
    return {
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: this.#groups
        .filter((group) => (group.group === '') === core)
        .map((group) => ({
          metadata: group.group === '' ? {} : { name: group.group },
          versions: [...group.versions].map(([versionName, resources]) => ({
            version: versionName,
            resources: resources.map((resource) => ({
              resource: resource.plural,
              responseKind: { group: resource.group, version: resource.version, kind: resource.kind },
              scope: resource.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: resource.singular,
              verbs: [...(resource.verbs ?? allVerbs)],
              ...(resource.shortNames?.length ? { shortNames: [...resource.shortNames] } : {}),
              ...(resource.categories?.length ? { categories: [...resource.categories] } : {}),
              ...(subresourcesOf(resource).length
                ? {
                    subresources: subresourcesOf(resource).map((sub) => ({
                      subresource: sub.name,
                      responseKind: sub.kind,
                      verbs: sub.verbs,
                    })),
                  }
                : {}),
            })),
            freshness: 'Current',
          })),
        })),
    };
  }

  /** `/api` for clients without aggregated discovery. */
  apiVersions(serverAddress: string) {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  /** `/apis` for clients without aggregated discovery. */
  groupList() {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.#groups.filter((group) => group.group !== '').map((group) => this.#legacyGroup(group)),
    };
  }

  /** `/apis/GROUP`. */
  group(name: string) {
    const group = this.#groups.find((candidate) => candidate.group === name && name !== '');
    return group ? { kind: 'APIGroup', apiVersion: 'v1', ...this.#legacyGroup(group) } : undefined;
  }

  /** `/api/v1` or `/apis/GROUP/VERSION`. */
  resourceList(groupName: string, version: string) {
    const resources = this.#groups.find((group) => group.group === groupName)?.versions.get(version);
    if (!resources) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: groupName === '' ? version : `${groupName}/${version}`,
      resources: resources.flatMap((resource) => [
        {
          name: resource.plural,
          singularName: resource.singular,
          namespaced: resource.namespaced,
          kind: resource.kind,
          verbs: [...(resource.verbs ?? allVerbs)],
          ...(resource.shortNames?.length ? { shortNames: [...resource.shortNames] } : {}),
          ...(resource.categories?.length ? { categories: [...resource.categories] } : {}),
        },
        ...subresourcesOf(resource).map((sub) => ({
          name: `${resource.plural}/${sub.name}`,
          singularName: '',
          namespaced: resource.namespaced,
          ...(sub.kind.group !== resource.group || sub.kind.version !== resource.version
            ? { group: sub.kind.group, version: sub.kind.version }
            : {}),
          kind: sub.kind.kind,
          verbs: sub.verbs,
        })),
      ]),
    };
  }

  #legacyGroup(group: GroupVersions) {
    const versions = [...group.versions.keys()].map((version) => ({
      groupVersion: `${group.group}/${version}`,
      version,
    }));
    return { name: group.group, versions, preferredVersion: versions[0]! };
  }
}

interface Subresource {
  readonly name: string;
  readonly kind: { group: string; version: string; kind: string };
  readonly verbs: string[];
}

/** Subresources as discovery lists them; pods have more, served by their own handlers. */
export function subresourcesOf(resource: ResourceDefinition): Subresource[] {
  const own = { group: resource.group, version: resource.version, kind: resource.kind };
  const list: Subresource[] = [];
  if (resource.subresources?.status)
    list.push({ name: 'status', kind: own, verbs: ['get', 'patch', 'update'] });
  if (resource.subresources?.scale) {
    list.push({
      name: 'scale',
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: ['get', 'patch', 'update'],
    });
  }
  if (resource.group === '' && resource.plural === 'pods') {
    list.push({ name: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] });
    // Served by apiserver/eviction.ts; kubectl drain looks for it here before it evicts.
    list.push({
      name: 'eviction',
      kind: { group: 'policy', version: 'v1', kind: 'Eviction' },
      verbs: ['create'],
    });
    // Served by the pod's node through apiserver/node-proxy.
    const connect = (name: string, kind: string, verbs: string[]) =>
      list.push({ name, kind: { group: '', version: 'v1', kind }, verbs });
    connect('attach', 'PodAttachOptions', ['create', 'get']);
    connect('exec', 'PodExecOptions', ['create', 'get']);
    connect('log', 'Pod', ['get']);
    connect('portforward', 'PodPortForwardOptions', ['create', 'get']);
  }
  if (resource.group === '' && resource.plural === 'nodes') {
    list.push({
      name: 'proxy',
      kind: { group: '', version: 'v1', kind: 'NodeProxyOptions' },
      verbs: ['create', 'delete', 'get', 'patch', 'update'],
    });
  }
  if (resource.group === '' && resource.plural === 'namespaces') {
    list.push({ name: 'finalize', kind: own, verbs: ['update'] });
  }
  if (resource.group === '' && resource.plural === 'serviceaccounts') {
    list.push({
      name: 'token',
      kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
      verbs: ['create'],
    });
  }
  return list;
}
