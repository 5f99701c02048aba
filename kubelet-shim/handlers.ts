/**
 * Runs a probe's or a lifecycle hook's action against a container: a command inside it (through
 * CRI), an HTTP GET or a TCP connect to the pod, or a sleep. As upstream's prober and lifecycle
 * handler: an HTTP status from 200 to 399 succeeds, a command succeeds when it exits 0.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { type CriClient, grpcCode } from './cri/client.js';
import type { Container, Handler } from './pod-types.js';

export interface HandlerResult {
  readonly success: boolean;
  /** What to say in an event when it failed (the command's output, the HTTP status, the error). */
  readonly output: string;
}

export interface HandlerTarget {
  readonly cri: CriClient;
  readonly containerId: string;
  readonly container: Container;
  /** Where an httpGet or tcpSocket without a host goes: the pod's IP. */
  readonly podIP: string;
  readonly timeoutSeconds: number;
  /** `kube-probe/1.33` for probes; hooks send none. */
  readonly userAgent?: string;
}

/** A named port resolves through the container's ports, as upstream's probe and hook code do. */
export function resolvePort(port: number | string | undefined, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

export async function runHandler(handler: Handler, target: HandlerTarget): Promise<HandlerResult> {
  try {
    if (handler.exec) return await runExec(handler.exec.command ?? [], target);
    if (handler.httpGet) return await runHttpGet(handler.httpGet, target);
    if (handler.tcpSocket) return await runTcp(handler.tcpSocket, target);
    if (handler.sleep) {
      await new Promise((resolve) => setTimeout(resolve, handler.sleep!.seconds * 1000));
      return { success: true, output: '' };
    }
    return { success: false, output: 'missing probe handler' };
  } catch (error) {
    return { success: false, output: error instanceof Error ? error.message : String(error) };
  }
}

async function runExec(command: string[], target: HandlerTarget): Promise<HandlerResult> {
  try {
    const result = await target.cri.execSync(target.containerId, command, target.timeoutSeconds);
    const output = Buffer.concat([result.stdout, result.stderr]).toString('utf8');
    return result.exitCode === 0
      ? { success: true, output }
      : {
          success: false,
          output: output || `command ${JSON.stringify(command.join(' '))} exited with ${result.exitCode}`,
        };
  } catch (error) {
    if (grpcCode(error) === 4) {
      return {
        success: false,
        output: `command ${JSON.stringify(command.join(' '))} timed out`,
      };
    }
    throw error;
  }
}

function runHttpGet(action: NonNullable<Handler['httpGet']>, target: HandlerTarget): Promise<HandlerResult> {
  const port = resolvePort(action.port, target.container);
  if (port === undefined) return Promise.resolve({ success: false, output: `port ${action.port} not found` });
  const host = action.host || target.podIP;
  const https = action.scheme?.toUpperCase() === 'HTTPS';
  const path = action.path ? (action.path.startsWith('/') ? action.path : `/${action.path}`) : '/';
  const headers: Record<string, string> = { Accept: '*/*' };
  if (target.userAgent) headers['User-Agent'] = target.userAgent;
  for (const header of action.httpHeaders ?? []) headers[header.name] = header.value;
  const url = `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  return new Promise((resolve) => {
    const request = (https ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', headers, timeout: target.timeoutSeconds * 1000, rejectUnauthorized: false },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          // Upstream reads at most 10 KiB of a probe's body.
          if (size < 10_240) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8').slice(0, 10_240);
          resolve(
            status >= 200 && status < 400
              ? { success: true, output: body }
              : { success: false, output: `HTTP probe failed with statuscode: ${status}` },
          );
        });
        response.on('error', (error) => resolve({ success: false, output: error.message }));
      },
    );
    request.on('timeout', () => {
      request.destroy();
      resolve({
        success: false,
        output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    });
    request.on('error', (error) => resolve({ success: false, output: `Get "${url}": ${error.message}` }));
    request.end();
  });
}

function runTcp(action: NonNullable<Handler['tcpSocket']>, target: HandlerTarget): Promise<HandlerResult> {
  const port = resolvePort(action.port, target.container);
  if (port === undefined) return Promise.resolve({ success: false, output: `port ${action.port} not found` });
  const host = action.host || target.podIP;
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: target.timeoutSeconds * 1000 });
    socket.on('connect', () => {
      socket.destroy();
      resolve({ success: true, output: '' });
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve({ success: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    });
    socket.on('error', (error) =>
      resolve({ success: false, output: `dial tcp ${host}:${port}: ${error.message}` }),
    );
  });
}
