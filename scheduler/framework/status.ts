/**
 * What a plugin answers at an extension point. `undefined` is success (the common case costs nothing);
 * anything else is a `Status` whose code decides what happens to the pod:
 *
 *   Unschedulable                 this node will not do now; another pod leaving might change that, so
 *                                 preemption may try it, and the pod waits for a cluster event
 *   UnschedulableAndUnresolvable  this node will not do, and preempting pods on it would not help
 *   Error                         something broke (a bad argument, a failed API call): the pod backs off
 *                                 and is retried, whatever events happen
 *   Wait                          (Permit) hold the pod until a plugin allows or rejects it
 *   Skip                          (PreFilter, PreScore) this plugin has nothing to do for this pod: its
 *                                 Filter or Score is not called this cycle; (Bind) let the next binder bind
 *   Pending                       the pod waits for something outside the scheduler, not for a retry
 *
 * `reasons` are the short phrases kube-scheduler prints in its FailedScheduling message ("Insufficient
 * cpu", "node(s) had untolerated taint {dedicated: gpu}"); `plugin` is filled in by the framework.
 */
export type StatusCode =
  | 'Success'
  | 'Error'
  | 'Unschedulable'
  | 'UnschedulableAndUnresolvable'
  | 'Wait'
  | 'Skip'
  | 'Pending';

export class Status {
  readonly code: StatusCode;
  readonly reasons: readonly string[];
  /** The plugin that answered; set by the framework. */
  plugin: string | undefined;
  /** For Error: the failure itself. */
  readonly error: unknown;

  constructor(code: StatusCode, reasons: readonly string[] = [], error?: unknown) {
    this.code = code;
    this.reasons = reasons;
    this.error = error;
  }

  /** The reasons joined, as upstream's Status.Message(). */
  get message(): string {
    return this.reasons.join(', ');
  }

  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable';
  }

  withPlugin(plugin: string): this {
    this.plugin = plugin;
    return this;
  }
}

/** A plugin's answer: undefined means success. */
export type Result = Status | undefined;

export function unschedulable(...reasons: string[]): Status {
  return new Status('Unschedulable', reasons);
}

export function unresolvable(...reasons: string[]): Status {
  return new Status('UnschedulableAndUnresolvable', reasons);
}

export function errorStatus(error: unknown): Status {
  return new Status('Error', [error instanceof Error ? error.message : String(error)], error);
}

export const skip = (): Status => new Status('Skip');

export function isSuccess(status: Result): status is undefined {
  return status === undefined || status.code === 'Success';
}
