import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../store/testing/free-port.js';
import { formatNumber, now, printTable, summarize, throughput } from './stats.js';

/**
 * The API server benchmark: start-to-ready and idle RSS of `skiff up` (empty LevelDB store), durable pod
 * creates per second over HTTP from 50 concurrent clients, GET latency under that load, a 1,000-pod list
 * as a Table, and write-to-delivery delay at 100 watchers. Skiff runs as its own process, as users run it.
 */
const podTemplate = JSON.parse(await readFile(new URL('./fixtures/pod.json', import.meta.url), 'utf8'));

function pod(name: string) {
  const { status: _status, ...rest } = podTemplate;
  return {
    ...rest,
    metadata: { name, namespace: 'default', labels: podTemplate.metadata.labels },
    spec: { ...podTemplate.spec, nodeName: undefined },
  };
}

async function startSkiff(dataDir: string, port: number) {
  const url = `http://127.0.0.1:${port}`;
  // Warm the client first, so its own start-up is not counted as the server's.
  await send('http://127.0.0.1:1', 'GET', '/').catch(() => undefined);
  const started = now();
  const child = spawn(
    process.execPath,
    // Plain HTTP (credential-less requests act as system:masters), as the figures before TLS were taken.
    ['dist/cli/main.js', 'apiserver', '--insecure-http', '--data-dir', dataDir, '--port', String(port)],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`skiff exited (${code})`))),
  );
  // Ready means answering: the first successful /readyz after the process was spawned.
  const ready = (async () => {
    while ((await send(url, 'GET', '/readyz').catch(() => undefined))?.status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  await Promise.race([ready, exited]);
  return { child, url, readyMs: now() - started };
}

/**
 * A keep-alive HTTP client, as Kubernetes clients are: fetch() costs more per request than the server
 * does, and on two cores the load generator's overhead would be measured instead of the server's.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function send(
  url: string,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: hostname,
        port,
        path,
        method,
        agent,
        headers:
          body === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function rssOf(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then(
    (status) => Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
  );
}

export async function run(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-api-'));
  const port = await freePort();
  const { child, url, readyMs } = await startSkiff(dataDir, port);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleRss = await rssOf(child.pid!);
    const post = async (name: string) => {
      const response = await send(url, 'POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod(name)));
      if (response.status !== 201) throw new Error(`create ${name}: ${response.status} ${response.body}`);
    };
    process.stderr.write('creates\n');
    let getting = true;
    const getLatencies: number[] = [];
    await post('probe');
    const getter = (async () => {
      while (getting) {
        const t0 = now();
        await send(url, 'GET', '/api/v1/namespaces/default/pods/probe');
        getLatencies.push(now() - t0);
      }
    })();
    const creates = await throughput(20_000, 50, (i) => post(`pod-${i}`));
    getting = false;
    await getter;
    const get = summarize(getLatencies);

    process.stderr.write('table list\n');
    const tableTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = now();
      const response = await fetch(`${url}/api/v1/namespaces/default/pods?limit=1000`, {
        headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
      });
      const body = (await response.json()) as { rows: unknown[] };
      tableTimes.push(now() - t0);
      if (body.rows.length !== 1000) throw new Error(`table had ${body.rows.length} rows`);
    }

    process.stderr.write('watch\n');
    const watchers = 100;
    const delays: number[] = [];
    let writeStartedAt = 0;
    let pending = 0;
    let allDelivered: (() => void) | undefined;
    const sockets: http.ClientRequest[] = [];
    const listRv = (
      JSON.parse((await send(url, 'GET', '/api/v1/namespaces/default/configmaps')).body) as {
        metadata: { resourceVersion: string };
      }
    ).metadata.resourceVersion;
    const { hostname, port: watchPort } = new URL(url);
    await Promise.all(
      Array.from(
        { length: watchers },
        () =>
          new Promise<void>((resolve) => {
            const request = http.get(
              {
                host: hostname,
                port: watchPort,
                path: `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${listRv}`,
              },
              (response) => {
                response.on('data', () => {
                  delays.push(now() - writeStartedAt);
                  if (--pending === 0) allDelivered?.();
                });
                response.on('error', () => {});
                resolve();
              },
            );
            request.on('error', () => {});
            sockets.push(request);
          }),
      ),
    );
    for (let i = 0; i < 100; i++) {
      pending = watchers;
      const delivered = new Promise<void>((resolve) => {
        allDelivered = resolve;
      });
      writeStartedAt = now();
      await send(
        url,
        'POST',
        '/api/v1/namespaces/default/configmaps',
        JSON.stringify({ metadata: { name: `watched-${i}` }, data: { i: String(i) } }),
      );
      await delivered;
    }
    for (const request of sockets) request.destroy();
    const watch = summarize(delays);
    const table = summarize(tableTimes);

    console.log(
      `\napi benchmark, ${new Date().toISOString().slice(0, 10)}, skiff up on LevelDB, separate process\n`,
    );
    printTable(
      ['figure', 'value', 'target'],
      [
        ['start to ready (process spawn to /readyz), ms', formatNumber(readyMs), '≤ 300'],
        ['idle RSS, MB', formatNumber(idleRss, 1), '≤ 80'],
        ['durable pod creates/s, 50 clients', formatNumber(creates), '≥ 3,000'],
        ['GET p50 under that load, ms', formatNumber(get.p50, 2), ''],
        ['GET p99 under that load, ms', formatNumber(get.p99, 2), '≤ 20'],
        ['1,000-pod list as a Table, ms (p50)', formatNumber(table.p50, 1), ''],
        ['watch delivery p50 at 100 watchers, ms', formatNumber(watch.p50, 2), ''],
        ['watch delivery p99 at 100 watchers, ms', formatNumber(watch.p99, 2), '≤ 10'],
      ],
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}
