/**
 * Content negotiation as kubectl exercises it (see the Accept strings it sends):
 * - `as=Table` in Accept asks for server-side printing (`meta.k8s.io` v1 or v1beta1);
 * - discovery asks for `apidiscovery.k8s.io` v2 or v2beta1 aggregated lists, and the response must echo
 *   the chosen media type with its parameters;
 * - anything else is answered in JSON, which every client accepts, even those that prefer protobuf.
 */
export interface MediaRange {
  readonly type: string;
  readonly parameters: Readonly<Record<string, string>>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').flatMap((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim());
    if (!type) return [];
    const parsed: Record<string, string> = {};
    for (const parameter of parameters) {
      const equals = parameter.indexOf('=');
      if (equals > 0) parsed[parameter.slice(0, equals).trim()] = parameter.slice(equals + 1).trim();
    }
    return [{ type: type.toLowerCase(), parameters: parsed }];
  });
}

/** The Table version asked for (v1 or v1beta1), if the client asked for a Table. */
export function wantsTable(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  for (const range of parseAccept(accept)) {
    if (range.type !== 'application/json' || range.parameters.as !== 'Table') continue;
    if (range.parameters.g !== 'meta.k8s.io') continue;
    if (range.parameters.v === 'v1' || range.parameters.v === 'v1beta1') return range.parameters.v;
  }
  return undefined;
}

/** The aggregated discovery version asked for, in the client's order of preference. */
export function wantsAggregatedDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const range of parseAccept(accept)) {
    if (range.type !== 'application/json' || range.parameters.as !== 'APIGroupDiscoveryList') continue;
    if (range.parameters.g !== 'apidiscovery.k8s.io') continue;
    if (range.parameters.v === 'v2' || range.parameters.v === 'v2beta1') return range.parameters.v;
  }
  return undefined;
}

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

/**
 * Whether the client prefers Kubernetes protobuf: the first media type in its Accept header that the
 * server can produce decides (typed clients of kubectl 1.32+ send `application/vnd.kubernetes.protobuf,
 * application/json`; everything else puts JSON or `*\/*` first).
 */
export function wantsProtobuf(accept: string | undefined): boolean {
  for (const range of parseAccept(accept)) {
    if (range.parameters.as !== undefined) continue;
    if (range.type === protobufMediaType) return true;
    if (range.type === 'application/json' || range.type === '*/*' || range.type === 'application/*')
      return false;
  }
  return false;
}

export const aggregatedDiscoveryMediaType = (version: 'v2' | 'v2beta1') =>
  `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
