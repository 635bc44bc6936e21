import {
  ActivityFailure, ApplicationFailure, allHandlersFinished, condition, continueAsNew, defineQuery, defineUpdate, proxyActivities, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { producerOf } from './host-activities';
import { DraftCommittedError, DraftConflictError, DraftExpiredError, type ConflictDetails } from '../errors/draft-errors';
import { TypeMismatchError, UsageError, type ArtifactsError } from '../errors';
import {
  DEFAULT_DRAFT_EXPIRY_MS, type ContributeRequest, type ContributionOutcome, type DraftIndex, type DraftInput, type DraftResult, type DraftStatus,
  type FinishRequest, type FinishResult,
} from './draft-types';

export const contributeUpdate = defineUpdate<ContributionOutcome[], [ContributeRequest]>('contribute');
export const finishUpdate = defineUpdate<FinishResult, [FinishRequest]>('finish');
export const draftStatusQuery = defineQuery<DraftStatus>('status');

const { mergeDraft, findDraftCommit, commitVersion } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: ['TypeMismatchError', 'UsageError', 'AliasError'] },
});

/** Contributions merged in one activity: enough to keep up with hundreds of writers, small enough to stay quick. */
const MAX_BATCH = 1000;

interface Pending {
  readonly request: ContributeRequest;
  result?: ContributionOutcome[] | ApplicationFailure;
}

interface Finisher {
  readonly request: FinishRequest;
  result?: FinishResult | ApplicationFailure;
}

/**
 * Collaborative mode: the one draft of `(name, distributedId)`. Writers send contributions (manifest references
 * of files they staged on their own hosts); the draft merges them in batches through an activity, answering
 * each writer at once with merged, duplicate or conflict. A finish commits the merged manifest exactly once
 * (the commit is keyed by this workflow id, so a draft reopened after its commit finds the version again).
 * Nobody finishing means the draft expires. Before history limits it continues as new, handing over only
 * manifest roots and counters.
 */
export async function artifactDraftWorkflow(input: DraftInput): Promise<DraftResult> {
  const info = workflowInfo();
  const idempotencyKey = `draft:${info.workflowId}`;
  const openedAt = input.state?.openedAt ?? Date.now();
  const expiresAt = input.state?.expiresAt ?? openedAt + (input.expiresAfterMs ?? DEFAULT_DRAFT_EXPIRY_MS);
  let index: DraftIndex = input.state?.index ?? { files: null, writers: null };
  let writers = input.state?.writers ?? 0;
  let contributions = input.state?.contributions ?? 0;
  let committed: FinishResult | undefined;
  let expired = false;
  let ready = input.state !== undefined;
  let updates = 0;
  const queue: Pending[] = [];
  const finishers: Finisher[] = [];

  const fail = (err: ArtifactsError, details?: object): ApplicationFailure =>
    ApplicationFailure.create({ message: err.message, type: err.code, details: details ? [details] : [], nonRetryable: true });
  const where = { artifactName: input.name, distributedId: input.distributedId };
  const refusal = (writer: string): ApplicationFailure | undefined => {
    if (committed) {
      const d = { ...where, version: `${committed.version.name}:${committed.version.version}`, writer };
      return fail(new DraftCommittedError(d), d);
    }
    if (expired) {
      const d = { ...where, expiredAt: new Date(expiresAt).toISOString(), writer };
      return fail(new DraftExpiredError(d), d);
    }
    return undefined;
  };
  const checkType = (type: string): void => {
    if (type !== input.type) throw fail(new TypeMismatchError(input.name, input.type, type));
  };
  const contribute = async (request: ContributeRequest): Promise<ContributionOutcome[]> => {
    const pending: Pending = { request };
    queue.push(pending);
    await condition(() => pending.result !== undefined);
    if (pending.result instanceof ApplicationFailure) throw pending.result;
    return pending.result!;
  };

  setHandler(contributeUpdate, async (request) => {
    updates++;
    await condition(() => ready);
    const refused = refusal(request.contributions[0]?.writer ?? 'unknown');
    if (refused) throw refused;
    checkType(request.type);
    return contribute(request);
  });

  setHandler(finishUpdate, async (request) => {
    updates++;
    await condition(() => ready);
    if (committed) {
      // A repeated finish gets the same version, unless it brings files the version does not have.
      if (request.manifest && committed.version.manifest.digest !== request.manifest.digest) {
        const check = await mergeDraft({ index: { files: committed.version.manifest, writers: null }, contributions: [{ writer: request.writer, manifest: request.manifest }], dryRun: true });
        const outcome = check.outcomes[0];
        if (!outcome || outcome.status !== 'merged' || outcome.added > 0) throw refusal(request.writer)!;
      }
      return { version: committed.version, created: false };
    }
    const refused = refusal(request.writer);
    if (refused) throw refused;
    checkType(request.type);
    if (request.manifest) {
      const [outcome] = await contribute({ type: request.type, contributions: [{ writer: request.writer, manifest: request.manifest }] });
      if (outcome?.status === 'conflict') throw conflictFailure(outcome);
    }
    const finisher: Finisher = { request };
    finishers.push(finisher);
    await condition(() => finisher.result !== undefined);
    if (finisher.result instanceof ApplicationFailure) throw finisher.result;
    return finisher.result!;
  });

  setHandler(draftStatusQuery, () => ({
    name: input.name, type: input.type, distributedId: input.distributedId, writers, contributions,
    files: index.files?.count ?? 0, bytes: index.files?.size ?? 0,
    openedAt: new Date(openedAt).toISOString(), expiresAt: new Date(expiresAt).toISOString(),
    state: committed ? 'committed' : expired ? 'expired' : finishers.some((f) => !f.result) ? 'finishing' : 'open',
    ...(committed ? { version: committed.version.version } : {}),
    generation: input.state?.generation ?? 0,
  }));

  const conflictFailure = (o: Extract<ContributionOutcome, { status: 'conflict' }>): ApplicationFailure => {
    const d: ConflictDetails = { ...where, path: o.path, writer: o.writer, digest: o.digest, otherWriter: o.otherWriter, otherDigest: o.otherDigest };
    return fail(new DraftConflictError(d), d);
  };

  const mergeQueued = async (): Promise<void> => {
    const batch: Pending[] = [];
    let size = 0;
    while (queue.length > 0 && (batch.length === 0 || size + queue[0]!.request.contributions.length <= MAX_BATCH)) {
      const next = queue.shift()!;
      batch.push(next);
      size += next.request.contributions.length;
    }
    try {
      const merged = await mergeDraft({ index, contributions: batch.flatMap((p) => p.request.contributions) });
      index = merged.index;
      writers += merged.newWriters;
      contributions += merged.outcomes.filter((o) => o.status === 'merged').length;
      let at = 0;
      for (const p of batch) {
        p.result = merged.outcomes.slice(at, at + p.request.contributions.length);
        at += p.request.contributions.length;
      }
    } catch (err) {
      for (const p of batch) p.result = asFailure(err);
    }
  };

  const commitFinish = async (): Promise<void> => {
    const waiting = finishers.filter((f) => !f.result);
    const request = waiting[0]!.request;
    let result: FinishResult | ApplicationFailure;
    if (!index.files || index.files.count === 0) {
      result = fail(new UsageError(`Draft ${JSON.stringify(input.name)} (distributedId ${JSON.stringify(input.distributedId)}) has no files yet; upsert some before finishing, or finish with an artifact that has files.`));
    } else {
      try {
        const { version, created } = await commitVersion({
          name: input.name, type: input.type, manifest: index.files, aliases: request.aliases ?? [], description: request.description, metadata: request.metadata,
          idempotencyKey, producer: producerOf(info, request.run),
        });
        committed = { version, created };
        result = committed;
      } catch (err) {
        result = asFailure(err);
      }
    }
    for (const f of waiting) f.result = f === waiting[0] || result instanceof ApplicationFailure ? result : { version: (result as FinishResult).version, created: false };
  };

  const step = async (): Promise<boolean> => {
    if (queue.length > 0) await mergeQueued();
    else if (finishers.some((f) => !f.result)) await commitFinish();
    else return false;
    return true;
  };

  const prior = ready ? null : await findDraftCommit({ idempotencyKey });
  if (prior) committed = { version: prior, created: false };
  ready = true;

  const limit = input.continueAsNewAfterEvents ?? 10_000;
  const maxUpdates = input.continueAsNewAfterUpdates ?? 500;
  const shouldContinue = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit || updates >= maxUpdates;
  while (!committed) {
    const woke = await condition(() => queue.length > 0 || finishers.some((f) => !f.result) || shouldContinue(), Math.max(1, expiresAt - Date.now()));
    if (!woke) {
      expired = true;
      break;
    }
    if (await step()) continue;
    // Continue-as-new: answer every update already taken first (their ids do not carry over), then hand over.
    while (!allHandlersFinished() && !committed) {
      await condition(() => queue.length > 0 || finishers.some((f) => !f.result) || allHandlersFinished());
      await step();
    }
    if (committed) break;
    await continueAsNew<typeof artifactDraftWorkflow>({
      ...input,
      state: { index, writers, contributions, openedAt, expiresAt, generation: (input.state?.generation ?? 0) + 1 },
    });
  }
  for (const p of queue.splice(0)) p.result = refusal(p.request.contributions[0]?.writer ?? 'unknown') ?? asFailure(new Error('the draft closed'));
  await condition(allHandlersFinished);
  if (committed) {
    const ref = `${committed.version.name}:${committed.version.version}`;
    return { status: 'committed', version: committed.version, message: `Draft committed as ${ref} (${committed.version.manifest.count} files).` };
  }
  const expiredAt = new Date(expiresAt).toISOString();
  return {
    status: 'expired', name: input.name, distributedId: input.distributedId, writers, files: index.files?.count ?? 0, expiredAt,
    message: `Draft ${JSON.stringify(input.name)} (distributedId ${JSON.stringify(input.distributedId)}) expired at ${expiredAt} without a finish: ` +
      `${writers} writers had added ${index.files?.count ?? 0} files, which were not committed; their staged blobs are collectable.`,
  };
}

/** Passes an activity's typed failure on to the caller of the update, keeping its type and details. */
function asFailure(err: unknown): ApplicationFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return ApplicationFailure.create({ message: cause.message, type: cause.type ?? 'ArtifactsError', details: cause.details ?? [], nonRetryable: true });
  return ApplicationFailure.create({ message: cause instanceof Error ? cause.message : String(cause), type: 'ArtifactsError', nonRetryable: true });
}
