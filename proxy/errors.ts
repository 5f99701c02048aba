/** The service proxy's own errors; callers branch on `code`. */
export const proxyErrorCodes = [
  /** Options the proxy cannot run with (no nodeName, a malformed CIDR). */
  'SKIFF_ERR_INVALID_ARGUMENT',
  /** `nft` is not installed (the iptables fallback is not implemented). */
  'SKIFF_ERR_PROXY_NO_NFT',
  /** The kernel refused a rules transaction; the message carries nft's stderr. */
  'SKIFF_ERR_PROXY_APPLY',
] as const;

export type ProxyErrorCode = (typeof proxyErrorCodes)[number];

export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  readonly code: ProxyErrorCode;

  constructor(code: ProxyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
