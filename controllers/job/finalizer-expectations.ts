/**
 * The pods (by uid) each Job has asked to lose their tracking finalizer and not yet been seen without
 * it (upstream's uidTrackingExpectations). Until the informer shows the removal, a sync must not count
 * those pods again: their finish is already in the job's status.
 *
 *   expect('ns/job', ['u1', 'u2'])  → expected('ns/job') = {u1, u2}
 *   observed('ns/job', 'u1')        → expected('ns/job') = {u2}
 */
export class FinalizerExpectations {
  readonly #byJob = new Map<string, Set<string>>();

  expect(jobKey: string, uids: readonly string[]): void {
    const expected = this.#byJob.get(jobKey) ?? new Set<string>();
    for (const uid of uids) expected.add(uid);
    this.#byJob.set(jobKey, expected);
  }

  observed(jobKey: string, uid: string): void {
    const expected = this.#byJob.get(jobKey);
    if (!expected) return;
    expected.delete(uid);
    if (expected.size === 0) this.#byJob.delete(jobKey);
  }

  expected(jobKey: string): ReadonlySet<string> {
    return new Set(this.#byJob.get(jobKey) ?? []);
  }

  delete(jobKey: string): void {
    this.#byJob.delete(jobKey);
  }
}
