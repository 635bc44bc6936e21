import { LoggedVersion } from './artifact-version';
import { fromFailure } from '../errors/failure';
import type { ArtifactContent } from './log';
import { writerMemo } from './drafts';
import type { Session } from './session';
import type { SkippedPath } from '../store/staging/walk';
import { UsageError } from '../errors';
import type { DraftOptions, UpsertArtifactInput, UpsertArtifactResult } from '../workflows/draft-types';
import { draftWorkflowId, upsertWorkflowId } from '../workflows/ids';
import type { upsertArtifactWorkflow } from '../workflows/upsert-workflow';
import { metadataRef, withStoredMetadata } from './metadata';

export interface UpsertOptions {
  /** Names the draft every writer of this version shares (default: the run's group). */
  readonly distributedId?: string;
  /** Settings for the draft, used only by the writer that opens it. */
  readonly draft?: DraftOptions;
}

export interface FinishArtifactOptions extends UpsertOptions {
  /** Custom aliases for the committed version; `latest` is automatic. */
  readonly aliases?: readonly string[];
}

/** What an upsert did: whether the writer's files were merged now or had been already (a retried upsert). */
export interface UpsertResult {
  readonly name: string;
  readonly distributedId: string;
  readonly writer: string;
  /** The draft's workflow id. */
  readonly draftId: string;
  readonly status: 'merged' | 'duplicate';
  readonly files: number;
  readonly bytesWritten: number;
  /** Paths of added folders that were not followed (symlinks out of the folder, to folders, or broken), with why. */
  readonly skipped: readonly SkippedPath[];
}

/** Who sends to a draft: the session, the writer (a run's id) and the number of this call among the run's calls. */
export interface DraftWriter {
  readonly session: Session;
  readonly writer: string;
  readonly seq: number;
}

/** Sends one writer's upsert or finish through the upsert workflow and waits for the draft's answer. */
export async function sendToDraft(
  { session, writer, seq }: DraftWriter, artifact: ArtifactContent, distributedId: string, options: FinishArtifactOptions, finish: boolean,
): Promise<UpsertArtifactResult> {
  const spec = artifact.spec();
  if (!finish && spec.ops.length === 0) {
    throw new UsageError(`upsertArtifact(${JSON.stringify(artifact.name)}): the artifact has no files; add some with addFile, addDir, add or addReference.`);
  }
  const store = await session.store();
  const input: UpsertArtifactInput = {
    name: session.inProject(artifact.name),
    type: artifact.type,
    distributedId,
    writer,
    ...(spec.ops.length > 0 ? { specDigest: await store.putSpec(spec) } : {}),
    ...session.placement(),
    heartbeatTimeoutMs: session.config.heartbeatTimeoutMs,
    ...(session.config.scheduleToStartTimeoutMs ? { scheduleToStartTimeoutMs: session.config.scheduleToStartTimeoutMs } : {}),
    ...(options.draft ? { draft: options.draft } : {}),
    ...(finish ? {
      finish: {
        aliases: options.aliases ?? [], ...(await metadataRef(store, artifact.metadata, `artifact ${JSON.stringify(artifact.name)}`)), run: writer,
        ...(artifact.description !== undefined ? { description: artifact.description } : {}),
      },
    } : {}),
  };
  try {
    const handle = await session.connections.client.workflow.start<typeof upsertArtifactWorkflow>('upsertArtifactWorkflow', {
      taskQueue: session.config.taskQueue,
      workflowId: upsertWorkflowId(finish ? 'finish' : 'upsert', input.name, distributedId, writer, seq),
      args: [input],
      // Lets `drafts` and `finish` name writers that started but never delivered (see pendingWriters).
      memo: writerMemo(draftWorkflowId(input.name, distributedId), writer),
    });
    return await session.track(`${finish ? 'finish' : 'upsert'} of ${JSON.stringify(artifact.name)} (${distributedId})`, handle, handle.result());
  } catch (err) {
    throw fromFailure(err);
  }
}

export function upsertResult(result: UpsertArtifactResult, name: string, distributedId: string, writer: string): UpsertResult {
  return {
    name, distributedId, writer, draftId: draftWorkflowId(name, distributedId),
    status: result.outcome?.status === 'merged' ? 'merged' : 'duplicate', files: result.stage.files, bytesWritten: result.stage.bytesWritten, skipped: result.stage.skipped,
  };
}

export async function finishedVersion(result: UpsertArtifactResult, session: Session): Promise<LoggedVersion> {
  const finished = result.finished!;
  return new LoggedVersion(await withStoredMetadata(await session.store(), finished.version), session.store, finished.created, result.stage);
}

/** The distributedId of a call: the one given, else the run's group; a clear error when neither exists. */
export function resolveDistributedId(call: string, name: string, given: string | undefined, group: string | undefined): string {
  const id = given ?? group;
  if (id === undefined) {
    throw new UsageError(`${call}(${JSON.stringify(name)}): no distributedId. Pass { distributedId: '...' }, or init({ group: '...' }) in every run that writes this version.`);
  }
  // eslint-disable-next-line no-control-regex
  if (id.length === 0 || id.length > 200 || /[\u0000-\u001f\u007f]/.test(id)) {
    throw new UsageError(`${call}(${JSON.stringify(name)}): distributedId ${JSON.stringify(id)} must be 1-200 printable characters.`);
  }
  return id;
}
