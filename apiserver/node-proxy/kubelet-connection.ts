/**
 * How the API server reaches a node (upstream's NodeConnectionInfoGetter and kubelet client): HTTPS to
 * the Node's address from `status.addresses` (InternalIP first) on `status.daemonEndpoints.
 * kubeletEndpoint.Port`, presenting the `apiserver-kubelet-client` certificate. The node's serving
 * certificate is checked only when a CA for it is configured — upstream's default
 * (--kubelet-certificate-authority unset) does not check it either.
 */
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { KubeObject } from '../../api/resource.js';
import { internalError } from '../../api/status.js';
import type { ResourceStore } from '../resource-store.js';
import { storeKey } from '../rest-handler.js';

export interface KubeletClientConfig {
  /** PEM client certificate and key the API server presents to nodes. */
  readonly certificate: string;
  readonly key: string;
  /** PEM: the CA nodes' serving certificates must chain to; absent: not verified. */
  readonly ca?: string;
}

export interface NodeProxyContext {
  readonly stores: ReadonlyMap<string, ResourceStore>;
  /** Absent: the API server presents no certificate, and nodes that ask for one refuse it. */
  readonly kubeletClient?: KubeletClientConfig;
}

export interface KubeletLocation {
  readonly host: string;
  readonly port: number;
}

/** The kubelet's default port, used when a Node does not say. */
const defaultKubeletPort = 10250;
const preferredAddressTypes = ['InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS', 'Hostname'];

/** Where the named node's kubelet listens; 404 when there is no such Node. */
export async function kubeletLocation(context: NodeProxyContext, nodeName: string): Promise<KubeletLocation> {
  const nodes = context.stores.get(storeKey('', 'v1', 'nodes'));
  if (!nodes) throw internalError('nodes are not served');
  const node = (await nodes.get(undefined, nodeName)) as KubeObject & {
    status?: {
      addresses?: { type?: string; address?: string }[];
      daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
    };
  };
  const addresses = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const type of preferredAddressTypes) {
    host = addresses.find((address) => address.type === type && address.address)?.address;
    if (host) break;
  }
  if (!host) {
    const known = addresses.map((address) => `{${address.type} ${address.address}}`).join(' ');
    throw internalError(`no preferred addresses found; known addresses: [${known}]`);
  }
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return { host, port: port && port > 0 ? port : defaultKubeletPort };
}

function tlsOptions(context: NodeProxyContext, location: KubeletLocation) {
  const client = context.kubeletClient;
  return {
    host: location.host,
    port: location.port,
    ...(client ? { cert: client.certificate, key: client.key } : {}),
    ...(client?.ca ? { ca: client.ca, rejectUnauthorized: true } : { rejectUnauthorized: false }),
    ...(isIP(location.host) ? {} : { servername: location.host }),
  };
}

export function hostHeader(location: KubeletLocation): string {
  return isIP(location.host) === 6
    ? `[${location.host}]:${location.port}`
    : `${location.host}:${location.port}`;
}

/**
 * GET `path` (with its query) on the kubelet; resolves with the response once its head arrived. The
 * request is aborted when `signal` fires (the client went away).
 */
export function kubeletGet(
  context: NodeProxyContext,
  location: KubeletLocation,
  path: string,
  signal: AbortSignal,
  method = 'GET',
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = https.request({
      ...tlsOptions(context, location),
      method,
      path,
      agent: false,
      headers: { Host: hostHeader(location), Accept: '*/*' },
      signal,
    });
    request.once('response', resolve);
    request.once('error', (error) =>
      reject(internalError(`${method} "https://${hostHeader(location)}${path}": ${error.message}`)),
    );
    request.end();
  });
}

/** A TLS connection to the kubelet, for a raw upgrade; resolves once the handshake is done. */
export function connectKubelet(context: NodeProxyContext, location: KubeletLocation): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(tlsOptions(context, location));
    const fail = (error: Error) => {
      socket.destroy();
      reject(internalError(`error dialing backend: ${error.message}`));
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
