import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatusError } from '../api/status.js';
import { startSkiff, type TestSkiff } from '../conformance/harness.js';
import { describeKubeClientContract, take } from './client.contract.js';
import { HttpClient, pathFor, statusErrorFrom } from './http-client.js';
import { refFor } from './refs.js';

let skiff: TestSkiff;
let client: HttpClient;

beforeAll(async () => {
  // The API alone: these tests write statuses that controllers would also write.
  skiff = await startSkiff({ controllers: false });
  client = HttpClient.fromKubeconfig({ path: skiff.kubeconfig });
});

afterAll(async () => {
  await client?.close();
  await skiff?.stop();
});

describeKubeClientContract('the HTTP client against a running Skiff', async () => ({
  client,
  namespace: 'default',
}));

describe('the HTTP client', () => {
  it('connects with the server and namespace of the kubeconfig skiff up writes', async () => {
    expect(client.namespace).toBe('default');
    const namespace = await client.get(refFor('Namespace'), 'kube-system');
    expect(namespace.metadata?.name).toBe('kube-system');
  });

  it('a watch the server ends at timeoutSeconds just ends the iteration', async () => {
    const watch = await client.watch(refFor('ConfigMap', 'default'), {
      labelSelector: 'never=matches',
      timeoutSeconds: 1,
    });
    const started = Date.now();
    const events = [];
    for await (const event of watch) events.push(event);
    expect(events).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('a watch ends when its signal aborts', async () => {
    const controller = new AbortController();
    const watch = await client.watch(refFor('ConfigMap', 'default'), {
      labelSelector: 'never=matches',
      signal: controller.signal,
    });
    const iteration = (async () => {
      for await (const _event of watch) {
        // nothing arrives
      }
      return 'ended';
    })();
    controller.abort();
    expect(await iteration).toBe('ended');
  });

  it('bookmarks arrive as BOOKMARK events carrying a resourceVersion', async () => {
    const watch = await client.watch(refFor('ConfigMap', 'default'), {
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      labelSelector: 'never=matches',
    });
    const [event] = await take(watch, 1);
    watch.close();
    expect(event!.type).toBe('BOOKMARK');
    expect(event!.object.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it('a server error is thrown as the StatusError its body describes', async () => {
    const error = await client
      .create(refFor('ConfigMap', 'no-such-namespace'), {
        metadata: { name: 'x' },
      })
      .catch((failure: unknown) => failure);
    expect(isStatusError(error, 'NotFound')).toBe(true);
    expect((error as { status: { details?: { kind?: string } } }).status.details?.kind).toBe('namespaces');
  });

  it('the status subresource is written through update with a subresource', async () => {
    const deployments = refFor('Deployment', 'default');
    const created = await client.create(deployments, {
      metadata: { name: 'status-writer' },
      spec: {
        selector: { matchLabels: { app: 'w' } },
        template: {
          metadata: { labels: { app: 'w' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    const updated = await client.update(
      deployments,
      { ...created, status: { observedGeneration: 1, replicas: 0 } },
      { subresource: 'status' },
    );
    expect(updated.status).toMatchObject({ observedGeneration: 1 });
  });
});

describe('HTTP error answers', () => {
  it.each([
    [404, 'NotFound'],
    [409, 'Conflict'],
    [410, 'Gone'],
    [422, 'Invalid'],
    [503, 'ServiceUnavailable'],
    [502, 'InternalError'],
  ] as const)('a %i without a Status body becomes reason %s', (code, reason) => {
    const error = statusErrorFrom(code, '<html>proxy error</html>');
    expect(error.reason).toBe(reason);
    expect(error.code).toBe(code);
  });

  it('a Status body keeps its reason, message and details', () => {
    const error = statusErrorFrom(
      410,
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'too old resource version: 1 (5)',
        reason: 'Expired',
        code: 410,
      }),
    );
    expect(error.reason).toBe('Expired');
    expect(error.message).toBe('too old resource version: 1 (5)');
  });
});

describe('request paths', () => {
  it.each([
    [refFor('Pod', 'default'), 'web', 'status', '/api/v1/namespaces/default/pods/web/status'],
    [refFor('Deployment'), undefined, undefined, '/apis/apps/v1/deployments'],
    [refFor('Node'), 'node-1', undefined, '/api/v1/nodes/node-1'],
    [refFor('Namespace'), 'kube-system', undefined, '/api/v1/namespaces/kube-system'],
  ])('%o %s %s → %s', (ref, name, subresource, path) => {
    expect(pathFor(ref, name, subresource)).toBe(path);
  });
});

describe('the HTTP client over TLS', () => {
  let directory: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'skiff-tls-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: directory, stdio: 'pipe' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=skiff-test-ca',
    );
    await writeFile(join(directory, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '1',
      '-extfile',
      'server.ext',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'client.key',
      '-out',
      'client.csr',
      '-subj',
      '/CN=alice/O=system:masters',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      'client.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'client.crt',
      '-days',
      '1',
    );
    const { readFileSync } = await import('node:fs');
    const read = (file: string) => readFileSync(join(directory, file));
    // A stand-in API server that demands a client certificate and echoes who the caller is.
    server = createServer(
      {
        key: read('server.key'),
        cert: read('server.crt'),
        ca: read('ca.crt'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (request, response) => {
        const peer = (request.socket as TLSSocket).getPeerCertificate();
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'whoami', namespace: 'default' },
            data: { commonName: peer.subject?.CN ?? '', authorization: request.headers.authorization ?? '' },
          }),
        );
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await writeFile(join(directory, 'token'), 'secret-token\n');
    await writeFile(
      join(directory, 'kubeconfig'),
      `apiVersion: v1
kind: Config
clusters:
- name: tls
  cluster:
    server: ${url}
    certificate-authority: ca.crt
users:
- name: alice
  user:
    client-certificate: client.crt
    client-key-data: ${read('client.key').toString('base64')}
    tokenFile: token
contexts:
- name: tls
  context: { cluster: tls, user: alice, namespace: team-a }
current-context: tls
`,
    );
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  it('verifies the server with the kubeconfig CA and presents the client certificate and bearer token', async () => {
    const tlsClient = HttpClient.fromKubeconfig({ path: join(directory, 'kubeconfig') });
    try {
      expect(tlsClient.namespace).toBe('team-a');
      const answer = await tlsClient.get(refFor('ConfigMap', 'default'), 'whoami');
      expect(answer.data).toEqual({ commonName: 'alice', authorization: 'Bearer secret-token' });
    } finally {
      await tlsClient.close();
    }
  });

  it('refuses a server whose certificate the CA did not sign', async () => {
    const untrusting = new HttpClient({ connection: { server: url, namespace: 'default' } });
    try {
      const error = await untrusting
        .get(refFor('ConfigMap', 'default'), 'whoami')
        .catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(Error);
      expect(isStatusError(error)).toBe(false);
    } finally {
      await untrusting.close();
    }
  });
});
