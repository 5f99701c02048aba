#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { up } from './up.js';

const usage = `usage: skiff up [--data-dir DIR] [--port PORT] [--address ADDR] [--store URL] [--ephemeral]

  --data-dir DIR   where Skiff keeps its store and kubeconfig (default ~/.skiff)
  --port PORT      the API server's port (default 6443)
  --address ADDR   the address to listen on (default 127.0.0.1)
  --store URL      level:///path (default DIR/store), memory://, or etcd://host:port,…
  --ephemeral      keep everything in memory; nothing is written but the kubeconfig
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'up') {
    process.stderr.write(usage);
    return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      address: { type: 'string' },
      store: { type: 'string' },
      ephemeral: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`skiff: --port must be a port number, not ${values.port}\n`);
    return 2;
  }
  const started = performance.now();
  const skiff = await up({
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(values.address ? { address: values.address } : {}),
    ...(values.store ? { store: values.store } : {}),
    ...(values.ephemeral ? { ephemeral: true } : {}),
  });
  process.stdout.write(
    `Skiff is up at ${skiff.url} (${Math.round(performance.now() - started)} ms). To use it:\n  export KUBECONFIG=${skiff.kubeconfig}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`${signal}: shutting down\n`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await skiff.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`skiff: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
