/**
 * `npm run bench -- NAME`: runs one benchmark and prints its figures (Markdown tables for BENCHMARKS.md).
 * Figures are compared as ratios within one run; timings never go into tests.
 */
const benchmarks: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  store: () => import('./store.js'),
  api: () => import('./api.js'),
  controllers: () => import('./controllers.js'),
  auth: () => import('./auth.js'),
  scheduler: () => import('./scheduler.js'),
  apply: () => import('./apply.js'),
  node: () => import('./node.js'),
  proxy: () => import('./proxy.js'),
  dns: () => import('./dns.js'),
};

const name = process.argv[2];
const load = name ? benchmarks[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- ${Object.keys(benchmarks).join('|')}`);
  process.exit(2);
}
const benchmark = await load();
await benchmark.run();
