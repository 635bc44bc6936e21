import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { producerOf } from './host-activities';
import { DraftAbortedError, DraftCommittedError, DraftConflictError, DraftExpiredError, TypeMismatchError, UsageError, type ConflictDetails } from '../errors';
import { fromFailure, toFailure } from '../errors/failure';
import { ACTIVITY_RETRY, LOST_WORKER_AFTER } from './retry-policies';
import {
  DEFAULT_DRAFT_EXPIRY_MS, draftTotals, type AbortRequest, type ContributeRequest, type ContributionOutcome, type DraftIndex, type DraftInput, type DraftResult, type DraftState,
  type DraftStatus, type FinishRequest, type FinishResult,
} from './draft-types';

const { mergeDraft, findDraftCommit, commitVersion } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: LOST_WORKER_AFTER,
  retry: ACTIVITY_RETRY,
});

/** Contributions merged in one activity: enough to keep up with hundreds of writers, small enough to stay quick. */
const MAX_BATCH = 1000;

/** An update waiting in line: the draft's loop sets `result`, then the update's handler returns or throws it. */
interface Waiting<Request, Result> {
  readonly request: Request;
  result?: Result | ApplicationFailure;
}
type Conflict = Extract<ContributionOutcome, { status: 'conflict' }>;

/**
 * One run of the draft of `(name, distributedId)`: what it has merged so far, the updates waiting for an
 * answer, and how the run ends (committed, expired, or handed over to the next run). Update handlers only
 * queue work; the workflow's loop does it, one merge batch or one commit per step, so activities run in an
 * order that depends only on the order the updates arrived.
 */
export class OpenDraft {
  committed: FinishResult | undefined;
  /** Set by an abort: who and when (workflow time); the loop then ends without a commit. */
  aborted: { readonly by: string; readonly at: number } | undefined;
  private expired = false;
  /** False until a fresh draft has checked whether it was committed before; handlers wait for it. */
  private ready: boolean;
  private updates = 0;
  private index: DraftIndex;
  private writers: number;
  private contributions: number;
  private readonly openedAt: number;
  private readonly expiresAt: number;
  private readonly queue: Waiting<ContributeRequest, ContributionOutcome[]>[] = [];
  private readonly finishers: Waiting<FinishRequest, FinishResult>[] = [];
  private readonly where: { readonly artifactName: string; readonly distributedId: string };

  constructor(private readonly input: DraftInput) {
    const state = input.state;
    this.ready = state !== undefined;
    this.index = state?.index ?? { files: null, writers: null };
    this.writers = state?.writers ?? 0;
    this.contributions = state?.contributions ?? 0;
    this.openedAt = state?.openedAt ?? Date.now();
    this.expiresAt = state?.expiresAt ?? this.openedAt + (input.expiresAfterMs ?? DEFAULT_DRAFT_EXPIRY_MS);
    this.where = { artifactName: input.name, distributedId: input.distributedId };
  }

  /** The contribute update: refused once the draft is closed or for another type, else merged in a later batch. */
  async contribute(request: ContributeRequest): Promise<ContributionOutcome[]> {
    this.updates++;
    await condition(() => this.ready);
    this.admit(request.contributions[0]?.writer ?? 'unknown', request.type);
    return this.enqueue(request);
  }

  /** The finish update: merges the finisher's own files first, then waits for the commit. */
  async finish(request: FinishRequest): Promise<FinishResult> {
    this.updates++;
    await condition(() => this.ready);
    if (this.committed) return this.finishAgain(request, this.committed);
    this.admit(request.writer, request.type);
    if (request.manifest) {
      const [outcome] = await this.enqueue({ type: request.type, contributions: [{ writer: request.writer, manifest: request.manifest }] });
      if (outcome?.status === 'conflict') throw this.conflictFailure(outcome);
    }
    return waitInLine(this.finishers, request);
  }

  /** The abort update: ends the draft without a commit, unless a commit came first (then that is the answer). */
  async abort(request: AbortRequest): Promise<DraftResult> {
    await condition(() => this.ready);
    if (this.committed) return committedResult(this.committed);
    this.aborted ??= { by: request.by, at: Date.now() };
    return this.abortedResult();
  }

  status(): DraftStatus {
    const { name, type, distributedId } = this.input;
    return {
      name, type, distributedId, writers: this.writers, contributions: this.contributions,
      ...draftTotals(this.index),
      openedAt: new Date(this.openedAt).toISOString(), expiresAt: new Date(this.expiresAt).toISOString(),
      state: this.committed ? 'committed' : this.aborted ? 'aborted' : this.expired ? 'expired' : this.finishing() ? 'finishing' : 'open',
      ...(this.committed ? { version: this.committed.version.version } : {}),
      generation: this.input.state?.generation ?? 0,
    };
  }

  /** A fresh run (not a continuation) looks for its own earlier commit, so a reopened draft never commits twice. */
  async findEarlierCommit(): Promise<void> {
    const prior = this.ready ? null : await findDraftCommit({ idempotencyKey: this.idempotencyKey() });
    if (prior) this.committed = { version: prior, created: false };
    this.ready = true;
  }

  /** Waits for queued work or a reason to continue as new; false when the draft's time ran out first. */
  waitForWork(): Promise<boolean> {
    return condition(() => this.hasWork() || this.shouldContinue() || this.aborted !== undefined, Math.max(1, this.expiresAt - Date.now()));
  }

  expire(): void {
    this.expired = true;
  }

  /** Does one piece of queued work (contributions before finishes); false when there was none. */
  async step(): Promise<boolean> {
    if (this.queue.length > 0) await this.mergeQueued();
    else if (this.finishing()) await this.commitFinish();
    else return false;
    return true;
  }

  /** Answers every update this run has taken, before it continues as new (update ids do not carry over). */
  async answerTakenUpdates(): Promise<void> {
    while (!allHandlersFinished() && !this.committed) {
      await condition(() => this.hasWork() || allHandlersFinished());
      await this.step();
    }
  }

  /** Everything the next run needs: manifest roots and counters. */
  handover(): DraftState {
    const { index, writers, contributions, openedAt, expiresAt } = this;
    return { index, writers, contributions, openedAt, expiresAt, generation: (this.input.state?.generation ?? 0) + 1 };
  }

  /** Refuses what is still queued, lets every handler answer, and says how the draft ended. */
  async close(): Promise<DraftResult> {
    for (const p of this.queue.splice(0)) p.result = this.refusal(p.request.contributions[0]?.writer ?? 'unknown') ?? toFailure(new Error('the draft closed'));
    // An abort can leave finishes waiting: they are refused like late writers.
    for (const f of this.finishers) f.result ??= this.refusal(f.request.writer) ?? toFailure(new Error('the draft closed'));
    await condition(allHandlersFinished);
    if (this.committed) return committedResult(this.committed);
    return this.aborted ? this.abortedResult() : this.expiredResult();
  }

  private idempotencyKey(): string {
    return `draft:${workflowInfo().workflowId}`;
  }

  private hasWork(): boolean {
    return this.queue.length > 0 || this.finishing();
  }

  private finishing(): boolean {
    return this.finishers.some((f) => !f.result);
  }

  private shouldContinue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (this.input.continueAsNewAfterEvents ?? 10_000) || this.updates >= (this.input.continueAsNewAfterUpdates ?? 500);
  }

  private enqueue(request: ContributeRequest): Promise<ContributionOutcome[]> {
    return waitInLine(this.queue, request);
  }

  /** Throws the refusal a writer gets from a closed draft, or for an artifact of another type. */
  private admit(writer: string, type: string): void {
    const refused = this.refusal(writer);
    if (refused) throw refused;
    if (type !== this.input.type) throw toFailure(new TypeMismatchError(this.input.name, this.input.type, type));
  }

  private refusal(writer: string): ApplicationFailure | undefined {
    if (this.committed) {
      const d = { ...this.where, version: `${this.committed.version.name}:${this.committed.version.version}`, writer };
      return toFailure(new DraftCommittedError(d));
    }
    if (this.aborted) {
      const d = { ...this.where, abortedAt: new Date(this.aborted.at).toISOString(), abortedBy: this.aborted.by, writer };
      return toFailure(new DraftAbortedError(d));
    }
    if (this.expired) {
      const d = { ...this.where, expiredAt: new Date(this.expiresAt).toISOString(), writer };
      return toFailure(new DraftExpiredError(d));
    }
    return undefined;
  }

  private conflictFailure(o: Conflict): ApplicationFailure {
    const d: ConflictDetails = {
      ...this.where, path: o.path, writer: o.writer, digest: o.digest, otherWriter: o.otherWriter, otherDigest: o.otherDigest, ...(o.otherPath !== undefined ? { otherPath: o.otherPath } : {}),
    };
    return toFailure(new DraftConflictError(d));
  }

  /** A repeated finish gets the same version, unless it brings files the version does not have. */
  private async finishAgain(request: FinishRequest, committed: FinishResult): Promise<FinishResult> {
    if (request.manifest && committed.version.manifest.digest !== request.manifest.digest) {
      const check = await mergeDraft({ index: { files: committed.version.manifest, writers: null }, contributions: [{ writer: request.writer, manifest: request.manifest }], dryRun: true });
      const outcome = check.outcomes[0];
      if (!outcome || outcome.status !== 'merged' || outcome.added > 0) throw this.refusal(request.writer)!;
    }
    return { version: committed.version, created: false };
  }

  /** Merges the longest run of queued updates that fits in one batch, and answers each with its own outcomes. */
  private async mergeQueued(): Promise<void> {
    const batch = this.takeBatch();
    try {
      const merged = await mergeDraft({ index: this.index, contributions: batch.flatMap((p) => p.request.contributions) });
      this.index = merged.index;
      this.writers += merged.newWriters;
      this.contributions += merged.outcomes.filter((o) => o.status === 'merged').length;
      let at = 0;
      for (const p of batch) {
        p.result = merged.outcomes.slice(at, at + p.request.contributions.length);
        at += p.request.contributions.length;
      }
    } catch (err) {
      for (const p of batch) p.result = toFailure(fromFailure(err));
    }
  }

  private takeBatch(): Waiting<ContributeRequest, ContributionOutcome[]>[] {
    const batch: Waiting<ContributeRequest, ContributionOutcome[]>[] = [];
    let size = 0;
    while (this.queue.length > 0 && (batch.length === 0 || size + this.queue[0]!.request.contributions.length <= MAX_BATCH)) {
      const next = this.queue.shift()!;
      batch.push(next);
      size += next.request.contributions.length;
    }
    return batch;
  }

  /** Commits for the first waiting finisher; the others get the same version as not newly created. */
  private async commitFinish(): Promise<void> {
    const waiting = this.finishers.filter((f) => !f.result);
    const first = waiting[0]!;
    const result = await this.commit(first.request);
    for (const f of waiting) f.result = f === first || result instanceof ApplicationFailure ? result : { version: result.version, created: false };
  }

  private async commit(request: FinishRequest): Promise<FinishResult | ApplicationFailure> {
    const { name, type, distributedId } = this.input;
    const empty = `Draft ${JSON.stringify(name)} (distributedId ${JSON.stringify(distributedId)}) has no files yet; upsert some before finishing, or finish with an artifact that has files.`;
    if (draftTotals(this.index).files === 0) return toFailure(new UsageError(empty));
    try {
      // The version is the files tree with every pending entry folded in (drafts of earlier releases have none).
      if (this.index.pending) this.index = (await mergeDraft({ index: this.index, contributions: [], settle: true })).index;
      const { version, created } = await commitVersion({
        name, type, manifest: this.index.files!, aliases: request.aliases ?? [], description: request.description, metadata: request.metadata,
        ...(request.metadataDigest ? { metadataDigest: request.metadataDigest } : {}),
        idempotencyKey: this.idempotencyKey(), producer: producerOf(workflowInfo(), request.run, request.caller),
      });
      this.committed = { version, created };
      return this.committed;
    } catch (err) {
      return toFailure(fromFailure(err));
    }
  }

  private abortedResult(): DraftResult {
    const { name, distributedId } = this.input;
    const [files, abortedBy, abortedAt] = [draftTotals(this.index).files, this.aborted!.by, new Date(this.aborted!.at).toISOString()];
    const message = `Draft ${JSON.stringify(name)} (distributedId ${JSON.stringify(distributedId)}) was aborted by ${abortedBy} at ${abortedAt}: ` +
      `${this.writers} writers had added ${files} files, which were not committed; their staged blobs are collectable.`;
    return { status: 'aborted', name, distributedId, writers: this.writers, files, abortedAt, abortedBy, message };
  }

  private expiredResult(): DraftResult {
    const { name, distributedId } = this.input;
    const { files } = draftTotals(this.index);
    const expiredAt = new Date(this.expiresAt).toISOString();
    return {
      status: 'expired', name, distributedId, writers: this.writers, files, expiredAt,
      message: `Draft ${JSON.stringify(name)} (distributedId ${JSON.stringify(distributedId)}) expired at ${expiredAt} without a finish: ` +
        `${this.writers} writers had added ${files} files, which were not committed; their staged blobs are collectable.`,
    };
  }
}

/** Puts an update in line and waits until the draft's loop answers it. */
async function waitInLine<Request, Result>(line: Waiting<Request, Result>[], request: Request): Promise<Result> {
  const waiting: Waiting<Request, Result> = { request };
  line.push(waiting);
  await condition(() => waiting.result !== undefined);
  if (waiting.result instanceof ApplicationFailure) throw waiting.result;
  return waiting.result!;
}

function committedResult(committed: FinishResult): DraftResult {
  const ref = `${committed.version.name}:${committed.version.version}`;
  return { status: 'committed', version: committed.version, message: `Draft committed as ${ref} (${committed.version.manifest.count} files).` };
}
