import { appendFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../client/testing/fake-clock.js';
import { formatLogTimestamp, parseLogTimestamp, readContainerLog } from './logs.js';

let directory: string;
let path: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'skiff-logs-'));
  await mkdir(join(directory, 'app'));
  path = join(directory, 'app', '0.log');
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const record = (second: number, stream: 'stdout' | 'stderr', tag: 'P' | 'F', text: string) =>
  `2026-11-22T03:36:${String(second).padStart(2, '0')}.5044880${second % 10}Z ${stream} ${tag} ${text}\n`;

/** A sink that collects what is written and lets a test wait until some text has arrived. */
function collector() {
  const output = new PassThrough();
  let text = '';
  const waiters: { needle: string; resolve: () => void }[] = [];
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      if (text.includes(waiter.needle)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  return {
    output,
    text: () => text,
    until: (needle: string) =>
      text.includes(needle)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ needle, resolve })),
  };
}

async function read(options: Omit<Parameters<typeof readContainerLog>[0], 'path' | 'output'>) {
  const sink = collector();
  await readContainerLog({ path, output: sink.output, ...options });
  return sink.text();
}

describe('readContainerLog', () => {
  it('joins partial records into one line, in file order as the kubelet writes them', async () => {
    await writeFile(
      path,
      record(1, 'stdout', 'P', 'first ') +
        record(2, 'stderr', 'F', 'an error') +
        record(3, 'stdout', 'F', 'half') +
        record(4, 'stdout', 'F', ''),
    );
    expect(await read({})).toBe('first an error\nhalf\n\n');
    expect(await read({ stream: 'Stdout' })).toBe('first half\n\n');
    expect(await read({ stream: 'Stderr' })).toBe('an error\n');
  });

  it('prefixes each line with the time of its first record, as RFC3339Nano', async () => {
    await writeFile(
      path,
      '2026-11-22T03:36:38.500000000Z stdout P a\n2026-11-22T03:36:39.1Z stdout F b\n2026-11-22T03:36:40Z stderr F c\n',
    );
    expect(await read({ timestamps: true })).toBe('2026-11-22T03:36:38.5Z ab\n2026-11-22T03:36:40Z c\n');
  });

  it('tails the last records, counting a long line’s parts as the kubelet does', async () => {
    const lines = Array.from({ length: 5000 }, (_, index) =>
      record(index % 60, 'stdout', 'F', `line ${index}`),
    );
    await writeFile(path, lines.join(''));
    expect(await read({ tailLines: 2 })).toBe('line 4998\nline 4999\n');
    expect(await read({ tailLines: 0 })).toBe('');
    expect((await read({ tailLines: 10_000 })).split('\n')).toHaveLength(5001);
    await appendFile(path, record(1, 'stdout', 'P', 'start-') + record(2, 'stdout', 'F', 'end'));
    expect(await read({ tailLines: 1 })).toBe('end\n');
    expect(await read({ tailLines: 2 })).toBe('start-end\n');
  });

  it('leaves an unfinished last record out of the tail count but shows it', async () => {
    await writeFile(
      path,
      `${record(1, 'stdout', 'F', 'one')}${record(2, 'stdout', 'F', 'two')}2026-11-22T03:36:03Z stdout F thr`,
    );
    expect(await read({ tailLines: 1 })).toBe('two\nthr\n');
  });

  it('tails only the selected stream', async () => {
    await writeFile(
      path,
      record(1, 'stdout', 'F', 'out-1') +
        record(2, 'stderr', 'F', 'err-1') +
        record(3, 'stderr', 'F', 'err-2'),
    );
    expect(await read({ tailLines: 1, stream: 'Stdout' })).toBe('out-1\n');
  });

  it('skips records older than since', async () => {
    await writeFile(path, record(10, 'stdout', 'F', 'old') + record(20, 'stdout', 'F', 'new'));
    const since = parseLogTimestamp('2026-11-22T03:36:15Z');
    expect(await read({ since })).toBe('new\n');
  });

  it('stops at limitBytes, timestamps included, mid-line if need be', async () => {
    await writeFile(path, record(1, 'stdout', 'F', 'abcdef') + record(2, 'stdout', 'F', 'ghijkl'));
    expect(await read({ limitBytes: 9 })).toBe('abcdef\ngh');
    expect(await read({ limitBytes: 10, timestamps: true })).toBe('2026-11-22');
  });

  it('reads nothing from a file that does not exist', async () => {
    expect(await read({})).toBe('');
  });

  it('follows appends and a rotation until the container ends', async () => {
    await writeFile(path, record(1, 'stdout', 'F', 'before'));
    const sink = collector();
    let end!: () => void;
    const containerEnded = new Promise<void>((resolve) => {
      end = resolve;
    });
    const done = readContainerLog({ path, output: sink.output, follow: true, tailLines: 1, containerEnded });
    await sink.until('before\n');
    await appendFile(path, record(2, 'stdout', 'F', 'appended'));
    await sink.until('appended\n');
    // Rotation as CRI does it: the file is renamed, the runtime writes its last lines to the old file,
    // then reopens the path as a new file.
    await rename(path, `${path}.20261122-033640`);
    await appendFile(`${path}.20261122-033640`, record(3, 'stdout', 'F', 'late in old'));
    await writeFile(path, record(4, 'stdout', 'F', 'in new'));
    await sink.until('in new\n');
    await appendFile(path, record(5, 'stderr', 'F', 'last'));
    end();
    await done;
    expect(sink.text()).toBe('before\nappended\nlate in old\nin new\nlast\n');
  });

  it('follows by polling when no change notification comes, and stops when the client goes away', async () => {
    const clock = new FakeClock();
    await rm(join(directory, 'app'), { recursive: true });
    const controller = new AbortController();
    const sink = collector();
    // The directory does not exist yet, so there is nothing to watch: only the poll finds the file.
    const done = readContainerLog({
      path,
      output: sink.output,
      follow: true,
      clock,
      pollIntervalMs: 1000,
      signal: controller.signal,
    });
    await mkdir(join(directory, 'app'));
    await writeFile(path, record(1, 'stdout', 'F', 'appeared'));
    while (!sink.text().includes('appeared')) await clock.advance(1000);
    controller.abort();
    await done;
    expect(sink.text()).toBe('appeared\n');
  });

  it('formats and parses timestamps as Go does', () => {
    expect(formatLogTimestamp('2026-11-22T03:36:38.504488024Z')).toBe('2026-11-22T03:36:38.504488024Z');
    expect(formatLogTimestamp('2026-11-22T03:36:38.000000000Z')).toBe('2026-11-22T03:36:38Z');
    expect(formatLogTimestamp('2026-11-22T03:36:38.120+02:00')).toBe('2026-11-22T03:36:38.12+02:00');
    expect(parseLogTimestamp('2026-11-22T03:36:38.5Z')).toBe(Date.UTC(2026, 10, 22, 3, 36, 38, 500));
    expect(parseLogTimestamp('nonsense')).toBeNaN();
  });
});
