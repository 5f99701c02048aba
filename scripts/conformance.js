#!/usr/bin/env node
// `npm run conformance`: runs the conformance tests (conformance/tier*.test.ts, one test per upstream
// conformance test, named after its codename) and prints a table: codename, pass/fail, totals.
// Exits non-zero when any failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'skiff-conformance-'));
const output = join(dir, 'results.json');
const run = spawnSync(
  'npx',
  ['vitest', 'run', 'conformance/tier', '--reporter=json', `--outputFile=${output}`, '--silent'],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
let results;
try {
  results = JSON.parse(readFileSync(output, 'utf8'));
} catch {
  console.error(`conformance: vitest produced no results (exit ${run.status})`);
  process.exit(1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const rows = [];
for (const file of results.testResults) {
  for (const test of file.assertionResults) {
    const codename = [...test.ancestorTitles, test.title].join(' ');
    rows.push({
      codename,
      status: test.status === 'passed' ? 'pass' : test.status === 'failed' ? 'FAIL' : test.status,
    });
  }
}
rows.sort((a, b) => a.codename.localeCompare(b.codename));
const width = Math.max(8, ...rows.map((row) => row.codename.length));
console.log(`${'codename'.padEnd(width)}  result`);
console.log(`${'-'.repeat(width)}  ------`);
for (const row of rows) console.log(`${row.codename.padEnd(width)}  ${row.status}`);
const passed = rows.filter((row) => row.status === 'pass').length;
const failed = rows.filter((row) => row.status === 'FAIL').length;
console.log(
  `\n${passed} passed, ${failed} failed${rows.length - passed - failed ? `, ${rows.length - passed - failed} skipped` : ''}`,
);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
