/** Small helpers every benchmark uses to measure and print figures the same way. */

export const now = () => performance.now();

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

export function summarize(samplesMs: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/**
 * Runs `count` calls of `operation` from `concurrency` workers, each running one call at a time; returns
 * operations per second. `operation` learns the call's number and which worker runs it.
 */
export async function throughput(
  count: number,
  concurrency: number,
  operation: (i: number, worker: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < count) await operation(next++, worker);
    }),
  );
  return count / ((now() - started) / 1000);
}

export const formatNumber = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';

/** Prints rows as an aligned Markdown table, so output can be pasted into BENCHMARKS.md. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
}
