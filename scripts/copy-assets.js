#!/usr/bin/env node
// Copies the non-TypeScript files the built code loads at run time (protocol definitions) into dist/,
// and marks the build time for scripts/ensure-setup.js.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const assets = ['store/etcd.proto', 'kubelet-shim/cri/api.proto'];
for (const asset of assets) {
  mkdirSync(dirname(join(root, 'dist', asset)), { recursive: true });
  copyFileSync(join(root, asset), join(root, 'dist', asset));
}
writeFileSync(join(root, 'dist', '.built'), `${new Date().toISOString()}\n`);
