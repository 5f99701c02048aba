#!/usr/bin/env node
// Makes a fresh clone runnable: installs dependencies when node_modules is missing or older than the
// lockfile, and builds dist/ when any TypeScript source is newer than the last build.
// `npm start`, `npm test` and `npm run bench` call it first, so each works on a fresh clone.
// Usage: node scripts/ensure-setup.js [--no-build]
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });
const mtime = (path) => (existsSync(join(root, path)) ? statSync(join(root, path)).mtimeMs : 0);

const installed = mtime('node_modules/.package-lock.json');
if (installed === 0 || installed < mtime('package-lock.json') || installed < mtime('package.json')) {
  run('npm install --no-audit --no-fund');
}

if (!process.argv.includes('--no-build')) {
  const sources = [
    'api',
    'store',
    'apiserver',
    'client',
    'scheduler',
    'controllers',
    'kubelet-shim',
    'proxy',
    'dns',
    'cli',
  ];
  const newest = (dir) => {
    let latest = 0;
    if (!existsSync(join(root, dir))) return 0;
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      latest = Math.max(latest, entry.isDirectory() ? newest(path) : mtime(path));
    }
    return latest;
  };
  const built = mtime('dist/.built');
  if (built === 0 || sources.some((dir) => newest(dir) > built) || mtime('package.json') > built) {
    run('npm run build --silent');
  }
}
