/**
 * Which budget a request draws on, decided from its method and URL alone (no parsing beyond a split),
 * because the limits run on every request before routing:
 *
 *   GET  /healthz, /livez/etcd, /readyz      → exempt        (probes must answer while the server is busy)
 *   GET  /api/v1/pods?watch=true              → long-running  (a watch, not counted in flight)
 *   GET  /api/v1/watch/namespaces/ns/pods     → long-running  (the legacy watch path)
 *   POST /api/v1/namespaces/ns/pods/web/exec  → long-running  (exec, attach, portforward, proxy, log)
 *   POST /api/v1/namespaces/ns/configmaps     → mutating
 *   GET  /api/v1/namespaces                   → read-only
 *
 * kube-apiserver counts long-running requests apart from --max-requests-inflight for the same reason:
 * a watch lasts minutes, and counting it would let a few hundred watchers starve every short request.
 */
export type RequestClass = 'exempt' | 'long-running' | 'mutating' | 'read-only';

const healthPaths = ['/healthz', '/livez', '/readyz'];
/** Upstream's long-running subresources (besides the watch verb). */
const longRunningSubresources = new Set(['exec', 'attach', 'portforward', 'proxy', 'log']);
const truthy = new Set(['true', '1', 'True']);

export function classifyRequest(method: string, url: string): RequestClass {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  if (isHealthCheck(path)) return 'exempt';
  if (isWatch(path, queryStart === -1 ? '' : url.slice(queryStart + 1))) return 'long-running';
  const last = path.slice(path.lastIndexOf('/', path.length - 2) + 1).replace(/\/$/, '');
  if (longRunningSubresources.has(last) && isResourcePath(path)) return 'long-running';
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'read-only' : 'mutating';
}

export function isHealthCheck(path: string): boolean {
  for (const health of healthPaths) {
    if (path === health || (path.startsWith(health) && path[health.length] === '/')) return true;
  }
  return false;
}

/** A GET with `watch=true|1|True`, or a GET under `/api/v1/watch/…` or `/apis/G/V/watch/…`. */
export function isWatch(path: string, query: string): boolean {
  if (query.includes('watch=')) {
    for (const pair of query.split('&')) {
      if (pair.startsWith('watch=') && truthy.has(pair.slice(6))) return true;
    }
  }
  if (!path.includes('/watch/')) return false;
  const parts = path.split('/');
  return (parts[1] === 'api' && parts[3] === 'watch') || (parts[1] === 'apis' && parts[4] === 'watch');
}

const isResourcePath = (path: string) => path.startsWith('/api/') || path.startsWith('/apis/');
