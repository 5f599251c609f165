// Helpers for the asynchronous API: the busy guard, abort wiring, keeping the caller's stack across
// the hop to a worker, and cancelling running jobs when the process or worker exits.
import { AbortError, BlasnetError } from './errors.js';

/**
 * Rejects with the error, its stack extended with the stack of the call that started the job. Only
 * blasnet's own errors are touched: a value the user's callback threw comes back exactly as it was
 * thrown, its stack included.
 */
export function withCallerStack<T>(promise: Promise<T>, caller: Error): Promise<T> {
  return promise.catch((e: unknown) => {
    if (e instanceof BlasnetError && caller.stack) {
      const callerFrames = caller.stack.split('\n').slice(1).join('\n');
      e.stack = `${e.stack ?? `${e.name}: ${e.message}`}\n    --- async call ---\n${callerFrames}`;
    }
    throw e;
  });
}

export function busyError(model: string, method: string): BlasnetError {
  return new BlasnetError('ERR_BLASNET_BUSY', `${model}.${method}: the model is busy with another fit; wait for it (or abort it) before starting a new one`);
}

export function abortError(signal: AbortSignal): AbortError {
  return new AbortError('The fit was aborted; the model keeps the parameters of its last completed iteration', { cause: signal.reason });
}

const running = new Set<() => void>();
let exitHooked = false;

/**
 * Registers `cancel` to run if this thread's process (or worker) exits while a job runs, so that
 * `process.exit()` returns promptly instead of waiting for the job's remaining work. Returns the
 * function that unregisters it (call it when the job settles).
 */
export function cancelOnExit(cancel: () => void): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const c of running) c();
    });
  }
  running.add(cancel);
  return () => { running.delete(cancel); };
}

/** A cancel flag for one native job (element 0 set to 1 stops it), cancelled on exit until released. */
export function jobFlag(): { flag: Int32Array; release: () => void } {
  const flag = new Int32Array(1);
  const release = cancelOnExit(() => { flag[0] = 1; });
  return { flag, release };
}
