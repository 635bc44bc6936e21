import v8 from 'node:v8';

/**
 * How much V8 lets the old generation grow past what a full collection kept, in percent, while staging runs.
 *
 * Staging makes records for every file that live for a batch's round trip to the worker threads, so many survive
 * two young collections and die in the old generation. After each full collection V8 sets the next limit at its
 * own factor (up to 4x what was kept), and on a long log that dead weight is what the process's peak is made of:
 * 3,000,000 files peaked at 325–331 MiB of RSS with V8's factor and at 232–244 MiB with 30%, for about 8% more
 * time in the log (`docs/benchmarks.md`, "Scale").
 */
export const STAGING_HEAP_GROWTH_PERCENT = 30;

const FLAG = /^--heap[-_]growing[-_]percent\b/;

let running = 0;

/** True when the process was started with its own `--heap-growing-percent`, which staging then leaves alone. */
function chosenByUser(): boolean {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/);
  return [...process.execArgv, ...nodeOptions].some((arg) => FLAG.test(arg));
}

/**
 * Runs `stage` with the old generation growing by `STAGING_HEAP_GROWTH_PERCENT` after each full collection, and
 * gives V8 back its own factor once no staging runs in this process. The setting is the process's (V8 has one), so
 * stagings that overlap share it; a process started with its own `--heap-growing-percent` keeps that.
 */
export async function withStagingHeapGrowth<T>(stage: () => Promise<T>): Promise<T> {
  if (chosenByUser()) return stage();
  if (running++ === 0) v8.setFlagsFromString(`--heap-growing-percent=${STAGING_HEAP_GROWTH_PERCENT}`);
  try {
    return await stage();
  } finally {
    if (--running === 0) v8.setFlagsFromString('--heap-growing-percent=0');
  }
}

/** The growth staging has set for this process now, or undefined when V8 uses its own (for tests). */
export function stagingHeapGrowth(): number | undefined {
  return running > 0 && !chosenByUser() ? STAGING_HEAP_GROWTH_PERCENT : undefined;
}
