// Where the CLI's output goes, and what the process does around it: stdout through a sink that
// stops quietly when its reader goes away (EPIPE: `blasnet predict … | head -1` ends with status 0,
// no stack trace), and the library's warnings (`process.emitWarning` with a BLASNET_ code, e.g. an
// unseen category) as one `blasnet: warning: …` line on stderr instead of Node's default print.
// Knows nothing about models or data.

/** Codes a closed reader gives: the write that found the pipe closed, and the writes after it. */
const CLOSED_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * stdout as the commands write it. Once the reader has gone (EPIPE), every later write is dropped
 * and `closed` is true, so a long output (predict on a large file) can stop early; the command then
 * finishes normally and the process exits 0. Any other write error (a full disk behind a redirect)
 * is kept and raised by `flush` as a one-line message.
 */
export class Sink {
  readonly stream: NodeJS.WritableStream;
  #closed = false;
  #error: NodeJS.ErrnoException | null = null;
  readonly #pending = new Set<Promise<void>>();

  constructor(stream: NodeJS.WritableStream) {
    this.stream = stream;
    // A listener is always there, so an asynchronous 'error' (the EPIPE of a synchronous pipe write
    // arrives on the next tick) is never an uncaught exception. It stays for the process's life.
    stream.on('error', (e: NodeJS.ErrnoException) => this.#fail(e));
  }

  /** Whether the reader has gone: nothing more will be written. */
  get closed(): boolean {
    return this.#closed || this.#error !== null;
  }

  /** Whether the stream is a terminal (the progress bar draws only there). */
  get isTTY(): boolean {
    return (this.stream as NodeJS.WriteStream).isTTY === true;
  }

  #fail(e: NodeJS.ErrnoException): void {
    if (CLOSED_CODES.has(e.code ?? '')) this.#closed = true;
    else this.#error ??= e;
  }

  /** Writes text (dropped once closed) without waiting: for short reports; `settled` waits for all of them. */
  write(text: string): void {
    void this.writeAsync(text);
  }

  /** Writes text and waits until the stream has taken it (back-pressure for long outputs). */
  writeAsync(text: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      try {
        this.stream.write(text, (e?: Error | null) => {
          if (e) this.#fail(e as NodeJS.ErrnoException);
          resolve();
        });
      } catch (e) {
        this.#fail(e as NodeJS.ErrnoException);
        resolve();
      }
    });
    this.#pending.add(done);
    void done.then(() => this.#pending.delete(done));
    return done;
  }

  /** Resolves when every write so far has been taken or has failed (then `failure` or `closed` says so). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** A write error other than a closed reader, as a message; null when there was none. */
  get failure(): string | null {
    return this.#error ? `cannot write to stdout: ${this.#error.code ?? this.#error.message}` : null;
  }
}

/** Messages quote the user's files (a JSON parser's excerpt may hold a newline): keep them on one line. */
export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

let routed = false;

/**
 * Routes the process's warnings: those the library emits with a `BLASNET_` code become one line,
 * `blasnet: warning: <message>`, on `stderr` (each distinct message once); every other warning goes
 * to Node's own handlers as before (the `(node:pid) [CODE] …` print, --no-warnings, --disable-warning).
 * Called once by the `blasnet` entry point (bin/blasnet.mjs), not by main(): a library user's process is
 * left alone.
 * @param stderr - where the lines go (process.stderr)
 */
export function routeWarnings(stderr: NodeJS.WritableStream = process.stderr): void {
  if (routed) return;
  routed = true;
  const nodeHandlers = process.listeners('warning');
  const printed = new Set<string>();
  process.removeAllListeners('warning');
  process.on('warning', (w: Error & { code?: unknown }) => {
    if (typeof w.code === 'string' && w.code.startsWith('BLASNET_')) {
      const line = `blasnet: warning: ${oneLine(w.message)}\n`;
      if (printed.has(line)) return;
      printed.add(line);
      try {
        stderr.write(line);
      } catch {
        // stderr gone too: nothing left to tell.
      }
      return;
    }
    for (const h of nodeHandlers) h.call(process, w);
  });
}
