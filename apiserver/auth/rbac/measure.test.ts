import { describe, expect, it } from 'vitest';
import { measureAuthorize } from './measure.js';

describe('measureAuthorize', () => {
  it('times the request a RoleBinding among 1,000 allows and one nothing allows', async () => {
    const measured = await measureAuthorize({ bindings: 1000, calls: 200 });
    // Figures are for the benchmark to print; here only that they measure the intended work.
    expect(measured.decisions).toEqual({ allowed: 'allow', refused: 'no-opinion' });
    expect(measured.allowedNanosecondsPerCall).toBeGreaterThan(0);
    expect(measured.refusedNanosecondsPerCall).toBeGreaterThan(0);
  });
});
