import { goQuote } from '../../api/go-quote.js';

/** What a response needs for warnings: fastify's reply has both. */
export interface WarningSink {
  getHeader(name: string): unknown;
  header(name: string, value: string | string[]): unknown;
}

/**
 * Adds `Warning: 299 - "message"` to the response, after any warnings already there, as upstream
 * writes admission warnings (kubectl prints them as `Warning: message`). A repeated message is sent once.
 */
export function addWarning(reply: WarningSink, message: string): void {
  const value = `299 - ${goQuote(message)}`;
  const existing = reply.getHeader('Warning');
  const warnings = existing === undefined ? [] : [existing].flat().map(String);
  if (warnings.includes(value)) return;
  reply.header('Warning', [...warnings, value]);
}
