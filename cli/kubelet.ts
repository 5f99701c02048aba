/**
 * `skiff kubelet`: a node joining any Skiff (or Kubernetes API) through a kubeconfig — on a container
 * runtime through CRI, or simulated (`--simulate --nodes N`: nodes with real Leases and pods that go
 * through their lifecycle without containers, for large clusters on one machine).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCriEndpoint } from '../kubelet-shim/cri/client.js';

export async function kubeletCommand(args: string[], untilSignalled: () => Promise<void>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      cri: { type: 'string', default: defaultCriEndpoint },
      'node-name': { type: 'string' },
      'root-dir': { type: 'string' },
      port: { type: 'string', default: '10250' },
      address: { type: 'string' },
      'cluster-dns': { type: 'string' },
      'cluster-domain': { type: 'string', default: 'cluster.local' },
      simulate: { type: 'boolean' },
      nodes: { type: 'string', default: '1' },
      'node-name-prefix': { type: 'string', default: 'sim-node-' },
    },
    strict: true,
  });
  if (!values.kubeconfig) {
    process.stderr.write('skiff kubelet: --kubeconfig is required (see skiff --help)\n');
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`skiff: --port must be a port number, not ${values.port}\n`);
    return 2;
  }
  const [{ HttpClient }, { loadKubeconfig }] = await Promise.all([
    import('../client/http-client.js'),
    import('../client/kubeconfig.js'),
  ]);
  const connection = loadKubeconfig({ path: values.kubeconfig });
  const client = new HttpClient({ connection });
  if (values.simulate) {
    const count = Number(values.nodes);
    if (!Number.isInteger(count) || count < 1) {
      process.stderr.write(`skiff: --nodes must be a positive whole number, not ${values.nodes}\n`);
      return 2;
    }
    const { startSimulatedNodes } = await import('../kubelet-shim/simulated/index.js');
    const nodes = await startSimulatedNodes({ client, count, namePrefix: values['node-name-prefix'] });
    process.stdout.write(
      `${count} simulated node(s) up: ${nodes.nodeNames.slice(0, 3).join(', ')}${count > 3 ? ', …' : ''}\n`,
    );
    await untilSignalled();
    await nodes.stop();
    await client.close();
    return 0;
  }
  const { startNode } = await import('../kubelet-shim/node.js');
  const node = await startNode({
    client,
    criEndpoint: values.cri,
    rootDir:
      values['root-dir'] ??
      (process.getuid?.() === 0 ? '/var/lib/skiff-node/kubelet' : join(homedir(), '.skiff-node', 'kubelet')),
    port,
    ...(values['node-name'] ? { nodeName: values['node-name'] } : {}),
    ...(values.address ? { address: values.address } : {}),
    ...(values['cluster-dns'] ? { clusterDns: values['cluster-dns'] } : {}),
    clusterDomain: values['cluster-domain'],
    // The API server calls the node with a client certificate from the cluster CA, the one the
    // kubeconfig trusts.
    clientCA: connection.ca ?? '',
  });
  process.stdout.write(`node ${node.nodeName} up on ${values.cri}\n`);
  await untilSignalled();
  await node.stop();
  await client.close();
  return 0;
}
