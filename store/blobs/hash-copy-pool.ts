import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IngestCheckpoint } from './blob-store';
import type { HashCopyMessage, WorkerJob } from './hash-copy-worker';

/** What a job ends with: a large file's digest or a small-file batch's results. */
export type FinalMessage = Exclude<HashCopyMessage, { type: 'checkpoint' } | { type: 'error' } | { type: 'ready' }>;

/**
 * A small pool of worker threads, one per core, that run ingests (read once, hash, write): one large file, or a
 * batch of small ones, per job. Idle
 * threads are unref'd so they never keep a process alive. Cancelling a job terminates its thread.
 */
export class HashCopyPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private live = 0;

  constructor(readonly size = Math.max(1, os.availableParallelism())) {}

  async run(job: WorkerJob, onCheckpoint: ((c: IngestCheckpoint) => void) | undefined, signal: AbortSignal | undefined): Promise<FinalMessage> {
    const worker = await this.acquire();
    // Cancelled while it waited for a thread: run nothing (the abort event fired before anyone listened).
    if (signal?.aborted) {
      this.release(worker, false);
      throw signal.reason instanceof Error ? signal.reason : new Error('ingest cancelled');
    }
    worker.ref();
    let broken = false;
    try {
      return await new Promise((resolve, reject) => {
        const onAbort = (): void => {
          broken = true;
          reject(signal?.reason instanceof Error ? signal.reason : new Error('ingest cancelled'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const onMessage = (m: HashCopyMessage): void => {
          if (m.type === 'ready') return; // a new thread's first word, before it takes this job
          if (m.type === 'checkpoint') {
            onCheckpoint?.(m.checkpoint);
            return;
          }
          worker.off('message', onMessage);
          worker.off('error', onError);
          signal?.removeEventListener('abort', onAbort);
          if (m.type === 'error') reject(Object.assign(new Error(m.message), { code: m.code, path: m.path, localPath: m.localPath }));
          else resolve(m);
        };
        const onError = (err: Error): void => {
          broken = true;
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        };
        worker.on('message', onMessage);
        worker.once('error', onError);
        worker.postMessage(job);
      });
    } finally {
      this.release(worker, broken);
    }
  }

  /**
   * Boots every thread now, idle and unref'd, so the first ingest does not wait for threads to start; resolves once
   * each has loaded its code (or failed to: a job then gets the error). Booting costs each thread a fraction of a
   * second of CPU, which a log that started meanwhile would have to share its cores with.
   */
  prestart(): Promise<void> {
    const booting: Promise<void>[] = [];
    while (this.live < this.size) {
      this.live++;
      const worker = spawn();
      booting.push(new Promise((resolve) => {
        const done = (): void => {
          worker.off('message', onReady);
          worker.off('error', done);
          worker.off('exit', done);
          resolve();
        };
        const onReady = (m: HashCopyMessage): void => void (m.type === 'ready' && done());
        worker.on('message', onReady);
        worker.once('error', done);
        worker.once('exit', done);
      }));
      worker.unref();
      this.idle.push(worker);
    }
    return Promise.all(booting).then(() => undefined);
  }

  private async acquire(): Promise<Worker> {
    const ready = this.idle.pop();
    if (ready) return ready;
    if (this.live < this.size) {
      this.live++;
      return spawn();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: Worker, broken: boolean): void {
    if (broken) {
      void worker.terminate();
      const next = this.waiting.shift();
      if (next) next(spawn());
      else this.live--;
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next(worker);
      return;
    }
    worker.unref();
    this.idle.push(worker);
  }
}

/**
 * A thread keeps ~6 MiB alive between jobs; left alone, V8 grows its young generation towards 48 MiB over a long
 * ingest (a 10M-file log), per thread, so peak memory grew with the number of files and with the cores.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 6 };

function spawn(): Worker {
  return new Worker(path.join(__dirname, 'hash-copy-worker.js'), { resourceLimits: THREAD_LIMITS });
}

/** One pool per process: large files hash on every core, whichever store they go to. */
export const ingestPool = new HashCopyPool();
