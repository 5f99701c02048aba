/**
 * The scheduler's own errors (a bad configuration, an unknown plugin), with stable codes to branch on.
 * Scheduling outcomes are not errors: they are Statuses (framework/status.ts).
 */
export const schedulerErrorCodes = [
  /** The configuration file cannot be read, is not YAML, or is not a valid KubeSchedulerConfiguration. */
  'SKIFF_ERR_SCHEDULER_CONFIG',
  /** A profile names a plugin the registry does not have, or enables it at a point it does not serve. */
  'SKIFF_ERR_UNKNOWN_PLUGIN',
  /** A plugin's args are not what it accepts. */
  'SKIFF_ERR_PLUGIN_ARGS',
] as const;

export type SchedulerErrorCode = (typeof schedulerErrorCodes)[number];

export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  readonly code: SchedulerErrorCode;

  constructor(code: SchedulerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isSchedulerError(error: unknown, code?: SchedulerErrorCode): error is SchedulerError {
  return error instanceof SchedulerError && (code === undefined || error.code === code);
}
