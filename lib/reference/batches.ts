// The batches of a reference fit from a data source: the twin of native/stream.h BatchQueue, the
// trainer's BatchSource over a transport that asks the main thread for batches and takes the
// answers. In a worker thread (fit) the answers come through a MessagePort, the worker blocking on
// a shared counter until one arrives; on the main thread (fitSync) they are read at once.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { BatchItem } from '../stream.js';
import type { BatchSource, Rows } from './trainer.js';

/** How a QueuedBatches asks for a batch and takes the answer. */
export interface BatchTransport {
  /** Asks for a batch: epoch ≥ 0 opens that global epoch and reads its first, −1 the open epoch's next. */
  request(epoch: number): void;
  /** The answer to the outstanding request, waiting for it if need be; 'stopped' when none will come. */
  receive(): BatchItem | 'stopped';
}

/**
 * The request protocol of native BatchQueue: one request outstanding at a time, made when an epoch
 * begins and as soon as a batch is taken (so the main thread reads batch k + 1 while batch k trains).
 */
export class QueuedBatches implements BatchSource {
  readonly #transport: BatchTransport;
  #ready: BatchItem | null = null;
  #outstanding = false;
  #ended = true;

  constructor(transport: BatchTransport) {
    this.#transport = transport;
  }

  beginEpoch(e: number): void {
    this.#ended = false;
    this.#ready = null;
    this.#outstanding = true;
    this.#transport.request(e);
  }

  /** The answer waiting, or null when none will come. */
  #wait(): BatchItem | null {
    if (this.#ready) return this.#ready;
    if (!this.#outstanding) return null;
    const got = this.#transport.receive();
    if (got === 'stopped') return null;
    this.#outstanding = false;
    this.#ready = got;
    return got;
  }

  next(): Rows | 'end' | 'stopped' {
    if (this.#ended) return 'end';
    const item = this.#wait();
    if (!item) return 'stopped';
    this.#ready = null;
    if (item.kind === 'end') {
      this.#ended = true;
      return 'end';
    }
    if (item.kind === 'failed') return 'stopped';
    // The next one is read while this one trains.
    this.#outstanding = true;
    this.#transport.request(-1);
    return { X: item.X, Y: item.Y, weight: item.weight, n: item.n };
  }

  peek(): 'batch' | 'end' | 'stopped' {
    if (this.#ended) return 'end';
    const item = this.#wait();
    if (!item) return 'stopped';
    return item.kind === 'batch' ? 'batch' : item.kind === 'end' ? 'end' : 'stopped';
  }
}

/**
 * A worker thread's transport: requests go out through `post`; answers come on `port`, whose sender
 * adds 1 to signal[0] and notifies after each. receive() blocks the worker (Atomics.wait, 10 ms at
 * a time) until an answer is there, or returns 'stopped' once `cancelled()`.
 */
export function portTransport(post: (epoch: number) => void, port: MessagePort, signal: Int32Array, cancelled: () => boolean): BatchTransport {
  return {
    request: post,
    receive() {
      for (;;) {
        const seen = Atomics.load(signal, 0);
        const m = receiveMessageOnPort(port);
        if (m) return m.message as BatchItem;
        if (cancelled()) return 'stopped';
        Atomics.wait(signal, 0, seen, 10);
      }
    },
  };
}

/** The main thread's transport (fitSync): a request is read at once by `read`, its answer kept for receive(). */
export function inlineTransport(read: (epoch: number) => BatchItem): BatchTransport {
  const answers: BatchItem[] = [];
  return {
    request(epoch) {
      answers.push(read(epoch));
    },
    receive() {
      return answers.shift() ?? 'stopped';
    },
  };
}
