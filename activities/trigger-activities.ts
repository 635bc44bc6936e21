import { Context } from '@temporalio/activity';
import type { Store } from '../store/store';
import { ArtifactNotFoundError } from '../errors';

export interface ArtifactWatch {
  readonly name: string;
  /** Watch this alias move instead of new versions of the name. */
  readonly alias?: string | undefined;
  /** The version index seen last (undefined: none yet, so the current state is only noted). */
  readonly seen?: number | null | undefined;
  /** How long to wait for a change before answering that there was none. */
  readonly waitMs: number;
  readonly pollMs: number;
  /**
   * `concurrency: latest`: once a change is seen, go on looking until none newer came for this long (or the wait's
   * end), so that a burst of versions logged one after another is answered as one change.
   */
  readonly settleMs?: number | undefined;
  /** The project the name is looked up in (absent: the default one). */
  readonly project?: string | undefined;
}

export interface ArtifactChange {
  /** The newest version (or the alias's version) now; null when there is none. */
  readonly current: number | null;
  /** Versions that appeared (or that the alias moved to) since `seen`, oldest first. */
  readonly fresh: readonly number[];
}

/**
 * The watcher of an `on: artifact` trigger: a long poll of the registry (which every host shares), so the watcher
 * workflow's history grows by a few events per change or per wait, not per poll. It heartbeats while it waits.
 */
export function createTriggerActivities(store: () => Promise<Store>) {
  return {
    async waitForArtifact(input: ArtifactWatch): Promise<ArtifactChange> {
      const ctx = Context.current();
      const deadline = Date.now() + input.waitMs;
      for (;;) {
        const change = await look(await store(), input);
        if (input.seen === undefined) return change;
        if (change.fresh.length > 0) return input.settleMs ? settle(store, input, change, Math.max(deadline, Date.now() + input.settleMs)) : change;
        if (Date.now() >= deadline) return change;
        ctx.heartbeat();
        await ctx.sleep(input.pollMs);
      }
    },
  };
}

/**
 * Looks again every poll until the newest version has stayed the same for `settleMs`, or until `end` (a steady
 * stream of versions still gets answered), and returns every change since `seen`.
 */
async function settle(store: () => Promise<Store>, input: ArtifactWatch, first: ArtifactChange, end: number): Promise<ArtifactChange> {
  const ctx = Context.current();
  let change = first;
  let since = Date.now();
  while (Date.now() - since < input.settleMs! && Date.now() < end) {
    ctx.heartbeat();
    await ctx.sleep(input.pollMs);
    const now = await look(await store(), input);
    if (now.current !== change.current) since = Date.now();
    change = now;
  }
  return change;
}

/** Versions are numbered without gaps, so the fresh ones are those after `seen` up to `latest` (or the alias's). */
async function look(s: Store, input: ArtifactWatch): Promise<ArtifactChange> {
  const seen = input.seen ?? null;
  const current = await indexOf(s, `${input.name}:${input.alias ?? 'latest'}`, input.project);
  if (current === null) return { current: seen, fresh: [] };
  if (input.alias !== undefined) return { current, fresh: current !== seen ? [current] : [] };
  const fresh: number[] = [];
  for (let i = seen === null ? 0 : seen + 1; i <= current; i++) fresh.push(i);
  return { current, fresh };
}

async function indexOf(s: Store, ref: string, project: string | undefined): Promise<number | null> {
  try {
    return (await s.registry.resolve(ref, project)).index;
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) return null;
    throw err;
  }
}
