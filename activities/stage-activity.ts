import { Context } from '@temporalio/activity';
import { adoptEarlyStage, takeFinishedEarlyStage, type EarlyStage } from '../store/staging/early-stages';
import type { StageProgress, StageResult } from '../store/staging/stager';
import { stageSpec } from '../store/staging/stager';
import type { Store } from '../store/store';

export interface StageInput {
  /** Digest of the ArtifactSpec blob recorded by the client. */
  readonly specDigest: string;
}

/**
 * Walks, hashes and stores the files of a spec on the host that has them. Progress goes out as heartbeat
 * details; a retried attempt reads them back and skips what the last attempt finished, resuming a large file
 * from its last checkpoint. A first attempt adopts the staging its logging process began early, if any.
 */
export function createStageActivity(store: () => Promise<Store>, maxBytesPerSecond: number | undefined) {
  return async function stageArtifact(input: StageInput): Promise<StageResult> {
    const ctx = Context.current();
    const resume = ctx.info.heartbeatDetails as StageProgress | undefined;
    const s = await store();
    const early = resume === undefined ? adoptEarlyStage(s, input.specDigest) : undefined;
    if (early) return finishEarlyStage(ctx, early);
    const spec = await s.getSpec(input.specDigest);
    ctx.heartbeat(resume);
    return stageSpec(s, spec, {
      resume,
      maxBytesPerSecond,
      signal: ctx.cancellationSignal,
      onProgress: (progress) => ctx.heartbeat(progress),
    });
  };
}

/** How long the log workflow's first task waits for this process's early staging before leaving it to the activity. */
const EARLY_STAGE_WAIT_MS = 100;

/**
 * A local activity, run by the worker that runs the log workflow's first task: when that worker is in the logging
 * process (usually so: its queue is polled there) and the staging it began early finished by now or within
 * EARLY_STAGE_WAIT_MS (a small artifact), its result is taken as the staging, so the workflow commits in that same
 * task and no staging activity is scheduled. Elsewhere, or for a larger artifact, it answers null at once or after
 * the wait, and the staging activity runs (and adopts the early staging) as before.
 */
export function createTakeEarlyStageActivity(store: () => Promise<Store>) {
  return async function takeEarlyStage(input: StageInput): Promise<StageResult | null> {
    const staged = await takeFinishedEarlyStage(await store(), input.specDigest, EARLY_STAGE_WAIT_MS);
    return staged ? { ...staged, startedEarly: true } : null;
  };
}

/** Waits for an adopted early staging, heartbeating its progress and passing cancellation on to it. */
async function finishEarlyStage(ctx: Context, early: EarlyStage): Promise<StageResult> {
  const onCancel = (): void => early.cancel(ctx.cancellationSignal.reason instanceof Error ? ctx.cancellationSignal.reason : new Error('staging cancelled'));
  ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
  const beat = setInterval(() => ctx.heartbeat(early.progress()), 250);
  try {
    return { ...(await early.result), startedEarly: true };
  } finally {
    clearInterval(beat);
    ctx.cancellationSignal.removeEventListener('abort', onCancel);
  }
}
