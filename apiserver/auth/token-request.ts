/**
 * TokenRequest: `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token` (`kubectl create token NAME
 * --duration 1h --audience vault --bound-object-kind Pod --bound-object-name web-0`) issues a bound
 * ServiceAccount token, checked as upstream checks it:
 *
 *   - the ServiceAccount must exist (404 otherwise); metadata.name/namespace, if given, must match;
 *   - audiences default to the API server's; expirationSeconds to 3600, at least 600, at most 2^32;
 *   - a bound object is a Pod (which must run as this ServiceAccount), a Secret or a Node, and must
 *     exist; a given uid must be the object's (409 otherwise). A pod's node goes into the claims too.
 *
 * The answer is the request with `status: {token, expirationTimestamp}`, 201.
 */
import { type FieldError, fieldError } from '../../api/field-error.js';
import { goQuote } from '../../api/go-quote.js';
import type { KubeObject } from '../../api/resource.js';
import { badRequest, conflict, invalid, notFound } from '../../api/status.js';
import { formatTime } from '../resource-store.js';
import type { ObjectLookup } from './object-lookup.js';
import type { ServiceAccountTokens } from './service-account-token.js';

export interface TokenRequestOptions {
  readonly tokens: ServiceAccountTokens;
  /** Fresh reads of the ServiceAccount and bound objects. */
  readonly objects: ObjectLookup;
  readonly now?: () => number;
}

export type TokenRequestHandler = (
  namespace: string,
  name: string,
  request: KubeObject,
) => Promise<KubeObject>;

const tokenRequestKind = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
const defaultExpirationSeconds = 3600;
const minimumExpirationSeconds = 600;
const maximumExpirationSeconds = 2 ** 32;

interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

export function createTokenRequestHandler(options: TokenRequestOptions): TokenRequestHandler {
  const now = options.now ?? Date.now;
  const fresh = (
    resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes',
    namespace: string | undefined,
    name: string,
  ) => options.objects.get(resource, namespace, name, { fresh: true });

  return async (namespace, name, request) => {
    const metadata = request.metadata ?? {};
    if (metadata.name && metadata.name !== name) {
      throw invalid(tokenRequestKind, name, [
        fieldError.invalid(
          'metadata.name',
          metadata.name,
          'must match the service account name if specified',
        ),
      ]);
    }
    if (metadata.namespace && metadata.namespace !== namespace) {
      throw invalid(tokenRequestKind, name, [
        fieldError.invalid(
          'metadata.namespace',
          metadata.namespace,
          'must match the service account namespace if specified',
        ),
      ]);
    }
    const serviceAccount = await fresh('serviceaccounts', namespace, name);
    if (!serviceAccount) throw notFound({ group: '', resource: 'serviceaccounts' }, name);

    const spec = (request.spec ?? {}) as {
      audiences?: unknown;
      expirationSeconds?: unknown;
      boundObjectRef?: BoundObjectReference | null;
    };
    const audiences =
      Array.isArray(spec.audiences) && spec.audiences.length > 0
        ? spec.audiences.map(String)
        : [...options.tokens.apiAudiences];
    const expirationSeconds =
      spec.expirationSeconds === undefined || spec.expirationSeconds === null
        ? defaultExpirationSeconds
        : Number(spec.expirationSeconds);
    const errors: FieldError[] = [];
    if (!Number.isInteger(expirationSeconds) || expirationSeconds < minimumExpirationSeconds) {
      errors.push(
        fieldError.invalid(
          'spec.expirationSeconds',
          spec.expirationSeconds,
          'may not specify a duration less than 10 minutes',
        ),
      );
    } else if (expirationSeconds > maximumExpirationSeconds) {
      errors.push(
        fieldError.invalid(
          'spec.expirationSeconds',
          spec.expirationSeconds,
          'may not specify a duration larger than 2^32 seconds',
        ),
      );
    }
    if (errors.length > 0) throw invalid(tokenRequestKind, '', errors);

    const bound: { pod?: KubeObject; secret?: KubeObject; node?: KubeObject } = {};
    const ref = spec.boundObjectRef ?? undefined;
    if (ref) {
      const apiVersion = ref.apiVersion ?? '';
      const refName = ref.name ?? '';
      const core = apiVersion === 'v1' || apiVersion === '';
      let object: KubeObject | undefined;
      if (core && ref.kind === 'Pod') {
        object = await fresh('pods', namespace, refName);
        if (!object) throw notFound({ group: '', resource: 'pods' }, refName);
        const podServiceAccount = (object.spec as { serviceAccountName?: string } | undefined)
          ?.serviceAccountName;
        if ((podServiceAccount || 'default') !== name) {
          throw badRequest(
            `cannot bind token for serviceaccount ${goQuote(name)} to pod running with different serviceaccount name.`,
          );
        }
        bound.pod = object;
        const nodeName = (object.spec as { nodeName?: string } | undefined)?.nodeName;
        if (nodeName) {
          // A node that is gone still leaves its name in the claims, as upstream does.
          bound.node = (await fresh('nodes', undefined, nodeName)) ?? {
            metadata: { name: nodeName, uid: '' },
          };
        }
      } else if (core && ref.kind === 'Secret') {
        object = await fresh('secrets', namespace, refName);
        if (!object) throw notFound({ group: '', resource: 'secrets' }, refName);
        bound.secret = object;
      } else if (core && ref.kind === 'Node') {
        object = await fresh('nodes', undefined, refName);
        if (!object) throw notFound({ group: '', resource: 'nodes' }, refName);
        bound.node = object;
      } else {
        throw badRequest(
          `cannot bind token to object of type ${groupVersionKindString(apiVersion, ref.kind ?? '')}`,
        );
      }
      if (ref.uid && ref.uid !== object.metadata?.uid) {
        throw conflict(
          { group: '', resource: ref.kind ?? '' },
          refName,
          `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        );
      }
    }

    const issuedAt = now();
    const issued = options.tokens.issue({ serviceAccount, audiences, expirationSeconds, ...bound });
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {
        ...metadata,
        name,
        namespace,
        ...(serviceAccount.metadata?.uid ? { uid: serviceAccount.metadata.uid } : {}),
        creationTimestamp: formatTime(new Date(issuedAt)),
      },
      spec: {
        audiences,
        expirationSeconds,
        ...(ref ? { boundObjectRef: ref } : {}),
      },
      status: {
        token: issued.token,
        expirationTimestamp: formatTime(new Date(issuedAt + expirationSeconds * 1000)),
      },
    };
  };
}

/** Go's GroupVersionKind.String(): `/v1, Kind=Foo` for the core group, `apps/v1, Kind=Deployment`. */
function groupVersionKindString(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return `${group}/${version}, Kind=${kind}`;
}
