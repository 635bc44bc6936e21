import { fromFailure } from '../errors/failure';
import { durationMs } from './lifecycle';
import { metadataRef, withStoredMetadata } from './metadata';
import { resultWithProgress } from './progress';
import type { Session } from './session';
import { cancelEarlyStage, startEarlyStage } from '../store/staging/early-stages';
import type { ArtifactSpec } from '../store/staging/spec';
import type { StageProgress } from '../store/staging/stager';
import { logWorkflowId } from '../workflows/ids';
import type { logArtifactWorkflow } from '../workflows/log-workflow';
import type { LogArtifactInput, LogArtifactResult, StagedVersionInput } from '../workflows/types';

export interface LogOptions {
  /** Custom aliases to point at the version (moved off any other version of the name). `latest` is automatic. */
  readonly aliases?: readonly string[];
  /** Lets gc delete the version this long after its commit: `30d`, `12h`, or milliseconds (default: its type's TTL, if set). */
  readonly ttl?: string | number;
  /** Called as files are hashed and stored (read from the staging activity's heartbeats). */
  readonly onProgress?: (progress: StageProgress) => void;
}

/** What a write needs of an Artifact or a Draft: its name and type, its descriptive fields and its recorded operations. */
export interface ArtifactContent {
  readonly name: string;
  readonly type: string;
  readonly description: string | undefined;
  readonly metadata: Record<string, unknown>;
  spec(): ArtifactSpec;
}

/**
 * What every staged write (a log, a draft's save) tells its workflow: the content's name, type and description, where
 * its files are, the aliases, the stored metadata's reference and the staging timeouts.
 */
export function stagedVersionInput(
  session: Session, runId: string, content: ArtifactContent, specDigest: string, metadata: { metadataDigest?: string }, options: LogOptions,
): StagedVersionInput {
  return {
    name: content.name,
    type: content.type,
    specDigest,
    ...session.placement(),
    aliases: options.aliases ?? [],
    ...(content.description !== undefined ? { description: content.description } : {}),
    ...metadata,
    run: runId,
    ...(options.ttl !== undefined ? { ttlMs: durationMs(options.ttl, 'ttl') } : {}),
    heartbeatTimeoutMs: session.config.heartbeatTimeoutMs,
    ...(session.config.scheduleToStartTimeoutMs ? { scheduleToStartTimeoutMs: session.config.scheduleToStartTimeoutMs } : {}),
  };
}

/**
 * Simple mode: stores the artifact's spec, starts the log workflow (the `seq`-th of run `runId`) and waits for
 * the workflow's result (Artifact and Run make the LoggedVersion of it). When this process runs a worker, hashing starts at once, while Temporal schedules the staging
 * activity that will take it over (the early-staging handover, store/staging/early-stages.ts).
 */
export async function logArtifact(
  session: Session, runId: string, seq: number, artifact: ArtifactContent, options: LogOptions, uses: LogArtifactInput['uses'] = [],
): Promise<LogArtifactResult> {
  const store = await session.store();
  const metadata = await metadataRef(store, artifact.metadata, `artifact ${JSON.stringify(artifact.name)}`);
  const spec = artifact.spec();
  const specDigest = await store.putSpec(spec);
  if (session.runsWorker) startEarlyStage(store, specDigest, spec, session.config.maxBytesPerSecond);
  const name = session.inProject(artifact.name);
  const input: LogArtifactInput = { ...stagedVersionInput(session, runId, artifact, specDigest, metadata, options), name, ...(uses?.length ? { uses } : {}) };
  try {
    const handle = await session.connections.client.workflow.start<typeof logArtifactWorkflow>('logArtifactWorkflow', {
      taskQueue: session.config.taskQueue,
      workflowId: logWorkflowId(name, runId, seq),
      args: [input],
      // The same run id and sequence again (`artifacts log --run-id` after a crash) attaches to that log if it
      // still runs; a finished one runs again and its commit, keyed by the workflow id, returns the same version.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const result = await session.track(`log of ${JSON.stringify(artifact.name)}`, handle, resultWithProgress<LogArtifactResult>(handle, options.onProgress));
    return { ...result, version: await withStoredMetadata(store, result.version) };
  } catch (err) {
    cancelEarlyStage(store, specDigest, new Error('the log did not start'));
    throw fromFailure(err);
  }
}
