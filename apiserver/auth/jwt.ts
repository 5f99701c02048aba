/**
 * Compact JSON Web Tokens (RFC 7519) signed with ES256 (ECDSA P-256, the key kind Skiff makes) or
 * RS256 (an RSA key, as kubeadm's sa.key is): `base64url(header).base64url(payload).base64url(signature)`.
 * An ES256 signature is r‖s, 32 bytes each (JWS), not the DER that X.509 uses.
 */
import { createHash, type KeyObject, sign, verify } from 'node:crypto';

export interface JwtHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
}

export interface DecodedJwt {
  readonly header: JwtHeader;
  readonly payload: Record<string, unknown>;
  /** `header.payload` as sent: what the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** The key id upstream gives a signing key: the unpadded base64url SHA-256 of its public key (DER). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

export function algorithmOf(key: KeyObject): 'ES256' | 'RS256' {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  throw new Error('service account tokens are signed with an ECDSA P-256 or an RSA key');
}

export function signJwt(payload: object, privateKey: KeyObject, keyId: string): string {
  const alg = algorithmOf(privateKey);
  const header = base64url({ alg, kid: keyId });
  const input = `${header}.${base64url(payload)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: privateKey,
    ...(alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {}),
  });
  return `${input}.${signature.toString('base64url')}`;
}

/** undefined for anything that is not three base64url parts with JSON objects in the first two. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const decodedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown;
    const decodedPayload = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (!isObject(decodedHeader) || !isObject(decodedPayload) || typeof decodedHeader.alg !== 'string') {
      return undefined;
    }
    return {
      header: decodedHeader as unknown as JwtHeader,
      payload: decodedPayload,
      signingInput: `${header}.${payload}`,
      signature: Buffer.from(signature, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/** Whether `publicKey` made the signature; the header's `alg` must be the key's own (no `none`). */
export function verifyJwt(decoded: DecodedJwt, publicKey: KeyObject): boolean {
  const alg = algorithmOf(publicKey);
  if (decoded.header.alg !== alg) return false;
  return verify(
    'sha256',
    Buffer.from(decoded.signingInput),
    { key: publicKey, ...(alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {}) },
    decoded.signature,
  );
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
