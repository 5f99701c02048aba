/**
 * A small JSON client for conformance tests: requests against a running Skiff, watches read line by
 * line, and helpers that wait for an event with a deadline instead of sleeping.
 */
export interface WatchEventJson {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, any>;
}

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown, contentType = 'application/json') {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, body: json as Record<string, any>, text, headers: response.headers };
  }

  /** Like `call`, but a non-2xx answer fails the test with the server's message. */
  async ok(method: string, path: string, body?: unknown, contentType?: string) {
    const result = await this.call(method, path, body, contentType);
    if (result.status >= 300) throw new Error(`${method} ${path} → ${result.status}: ${result.text}`);
    return result.body;
  }

  watch(path: string): Watch {
    return new Watch(`${this.baseUrl}${path}`);
  }
}

export class Watch {
  readonly #controller = new AbortController();
  readonly #events: WatchEventJson[] = [];
  #waiting: (() => void) | undefined;
  #ended = false;
  readonly ready: Promise<void>;

  constructor(url: string) {
    this.ready = (async () => {
      const response = await fetch(url, { signal: this.#controller.signal });
      if (!response.body) throw new Error('watch has no body');
      void this.#read(response.body);
    })();
  }

  async #read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line) this.#events.push(JSON.parse(line));
          newline = buffer.indexOf('\n');
        }
        this.#waiting?.();
      }
    } catch {
      // aborted
    }
    this.#ended = true;
    this.#waiting?.();
  }

  /** The next event, or an error after `timeoutMs`. */
  async next(timeoutMs = 10_000): Promise<WatchEventJson> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.#events.shift();
      if (event) return event;
      if (this.#ended) throw new Error('watch ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no watch event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
        setTimeout(resolve, left).unref();
      });
      this.#waiting = undefined;
    }
  }

  /** The first event (skipping others) for which `match` holds, or an error after `timeoutMs`. */
  async waitFor(match: (event: WatchEventJson) => boolean, timeoutMs = 30_000): Promise<WatchEventJson> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      if (match(event)) return event;
    }
  }

  /** Asserts that nothing arrives for `ms`. */
  async expectNothing(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.#events.length > 0) throw new Error(`unexpected event ${JSON.stringify(this.#events[0])}`);
  }

  close(): void {
    this.#controller.abort();
  }
}

export const randomSuffix = () => Math.random().toString(36).slice(2, 7);

/**
 * Calls `check` until it returns a value other than undefined/false (which it resolves with), or fails
 * after `timeoutMs` with the last error `check` threw — a poll, as upstream's wait.PollImmediate.
 */
export async function poll<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw lastError ?? new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
