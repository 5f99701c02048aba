/**
 * Client certificates: a certificate the cluster CA signed names its user — CN the user name, each O a
 * group — as Kubernetes' x509 authenticator reads it. The TLS server asks every client for a
 * certificate but lets the handshake succeed without one (other credentials still work), so the check
 * that matters is here: signed by the CA, within its validity, usable for client authentication.
 *
 * Verifying costs a signature check, so results are cached twice: per connection (a keep-alive client
 * pays once per socket) and per certificate fingerprint (a kubectl that opens a new connection for
 * each command pays once per certificate). The validity window is still checked against the clock on
 * every request.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { AuthenticationRequest, Authenticator, UserInfo } from '../../api/auth.js';
import { unauthorized } from '../../api/status.js';
import { subjectOf } from '../pki/certificate.js';

export interface X509AuthenticatorOptions {
  /** The CA (PEM or parsed) whose certificates are trusted. */
  readonly ca: string | X509Certificate;
  readonly now?: () => number;
  /** Verified certificates kept by fingerprint. */
  readonly cacheSize?: number;
}

/** The extra upstream (1.32+) puts on every authenticated user to name the credential used. */
export const credentialIdExtra = 'authentication.kubernetes.io/credential-id';

const clientAuthUsage = '1.3.6.1.5.5.7.3.2';
const anyExtendedKeyUsage = '2.5.29.37.0';

interface Verified {
  readonly user: UserInfo | undefined;
  readonly notBefore: number;
  readonly notAfter: number;
}

export class X509Authenticator implements Authenticator {
  readonly #ca: X509Certificate;
  readonly #now: () => number;
  readonly #cacheSize: number;
  /** Fingerprint → verified result; insertion order is eviction order. */
  readonly #byFingerprint = new Map<string, Verified>();
  /** Socket → verified result (or null: the client sent no certificate). */
  readonly #bySocket = new WeakMap<object, Verified | null>();

  constructor(options: X509AuthenticatorOptions) {
    this.#ca = typeof options.ca === 'string' ? new X509Certificate(options.ca) : options.ca;
    this.#now = options.now ?? Date.now;
    this.#cacheSize = options.cacheSize ?? 1024;
  }

  async authenticate(request: AuthenticationRequest): Promise<UserInfo | undefined> {
    const socket = request.socket as Partial<TLSSocket> | undefined;
    if (!socket || typeof socket.getPeerX509Certificate !== 'function') return undefined;
    let verified = this.#bySocket.get(socket);
    if (verified === undefined) {
      const peer = socket.getPeerX509Certificate();
      verified = peer ? this.#verify(peer) : null;
      this.#bySocket.set(socket, verified);
    }
    if (verified === null) return undefined;
    const now = this.#now();
    if (now < verified.notBefore || now > verified.notAfter) {
      throw unauthorized(
        `x509: certificate has expired or is not yet valid: current time ${new Date(now).toISOString()} is outside ${new Date(verified.notBefore).toISOString()} - ${new Date(verified.notAfter).toISOString()}`,
      );
    }
    return verified.user;
  }

  /** Checks one certificate (cached by fingerprint); throws 401 for one the CA did not sign. */
  #verify(certificate: X509Certificate): Verified {
    const fingerprint = certificate.fingerprint256;
    const cached = this.#byFingerprint.get(fingerprint);
    if (cached) return cached;
    if (!certificate.checkIssued(this.#ca) || !certificate.verify(this.#ca.publicKey)) {
      throw unauthorized('x509: certificate signed by unknown authority');
    }
    const usages = certificate.keyUsage;
    if (usages && !usages.includes(clientAuthUsage) && !usages.includes(anyExtendedKeyUsage)) {
      throw unauthorized('x509: certificate specifies an incompatible key usage');
    }
    const subject = subjectOf(certificate);
    // No common name: the certificate names nobody, and the request goes on as if it carried none.
    const user: UserInfo | undefined =
      subject.commonName === ''
        ? undefined
        : {
            username: subject.commonName,
            groups: subject.organizations,
            extra: {
              [credentialIdExtra]: [
                `X509SHA256=${createHash('sha256').update(certificate.raw).digest('hex')}`,
              ],
            },
          };
    const verified: Verified = {
      user,
      notBefore: Date.parse(certificate.validFrom),
      notAfter: Date.parse(certificate.validTo),
    };
    if (this.#byFingerprint.size >= this.#cacheSize) {
      this.#byFingerprint.delete(this.#byFingerprint.keys().next().value!);
    }
    this.#byFingerprint.set(fingerprint, verified);
    return verified;
  }
}
