import type { ArtifactSpec } from './spec';
import { stageSpec, type StageProgress, type StageResult } from './stager';
import type { Store } from '../store';

/**
 * A staging begun by the process that logs, as soon as `logArtifact` is called, instead of after the workflow has
 * started and dispatched its staging activity back to this host (the first workflow of a process takes 0.1-0.3 s to
 * get there). The activity, when it arrives in the same process, adopts it; it stays the only place a staging
 * counts: it heartbeats the adopted progress, and a retry elsewhere resumes from that progress as usual.
 */
export interface EarlyStage {
  readonly result: Promise<StageResult>;
  /** The latest progress of the staging, for the adopting activity's heartbeats. */
  progress(): StageProgress | undefined;
  cancel(reason: Error): void;
}

/** How long an early staging that nobody adopted (the activity ran elsewhere, the start failed) is remembered. */
const FORGET_AFTER_MS = 60_000;
const byStore = new WeakMap<Store, Map<string, EarlyStage>>();

/** Starts staging `spec` now, unless a staging of the same spec is already under way in this process. */
export function startEarlyStage(store: Store, specDigest: string, spec: ArtifactSpec, maxBytesPerSecond: number | undefined): void {
  const started = byStore.get(store) ?? new Map<string, EarlyStage>();
  byStore.set(store, started);
  if (started.has(specDigest)) return;
  const abort = new AbortController();
  let latest: StageProgress | undefined;
  const result = stageSpec(store, spec, { maxBytesPerSecond, signal: abort.signal, onProgress: (p) => (latest = p) });
  const stage: EarlyStage = { result, progress: () => latest, cancel: (reason) => abort.abort(reason) };
  started.set(specDigest, stage);
  const forget = (): void => {
    setTimeout(() => {
      if (started.get(specDigest) === stage) started.delete(specDigest);
    }, FORGET_AFTER_MS).unref();
  };
  result.then(forget, forget);
}

/** Hands the early staging of `specDigest` to its activity (once: a second caller stages by itself). */
export function adoptEarlyStage(store: Store, specDigest: string): EarlyStage | undefined {
  const started = byStore.get(store);
  const stage = started?.get(specDigest);
  started?.delete(specDigest);
  return stage;
}

/**
 * The result of the early staging of `specDigest` if it succeeds within `waitMs`, adopted (so no activity stages it
 * again); otherwise undefined, and the staging is left for the staging activity to adopt: one still running goes on,
 * one that failed reports its error there, as it always has.
 */
export async function takeFinishedEarlyStage(store: Store, specDigest: string, waitMs: number): Promise<StageResult | undefined> {
  const stage = byStore.get(store)?.get(specDigest);
  if (!stage) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
  const done = await Promise.race([stage.result.catch(() => undefined), late]).finally(() => clearTimeout(timer));
  if (!done || byStore.get(store)?.get(specDigest) !== stage) return undefined;
  byStore.get(store)?.delete(specDigest);
  return done;
}

/** Stops an early staging nobody will adopt (its workflow did not start). */
export function cancelEarlyStage(store: Store, specDigest: string, reason: Error): void {
  adoptEarlyStage(store, specDigest)?.cancel(reason);
}
