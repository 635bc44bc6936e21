import { randomUUID } from 'node:crypto';
import type { Artifact } from './artifact';
import { LoggedVersion, type SavedDraft } from './artifact-version';
import type { Draft } from './draft';
import { finishedVersion, resolveDistributedId, sendToDraft, upsertResult, type FinishArtifactOptions, type UpsertOptions, type UpsertResult } from './collaborative';
import { unwrapFailure } from './failures';
import { resultWithProgress } from './progress';
import { isDraft, saveDraft } from './save-draft';
import type { Session } from './session';
import { hostQueueOf } from '../runtime/config';
import { cancelEarlyStage, startEarlyStage } from '../store/staging/early-stages';
import type { StageProgress } from '../store/staging/stager';
import type { logArtifactWorkflow } from '../workflows/log-workflow';
import type { LogArtifactInput, LogArtifactResult } from '../workflows/types';

export interface LogOptions {
  /** Custom aliases to point at the version (moved off any other version of the name). `latest` is automatic. */
  readonly aliases?: readonly string[];
  /** Called as files are hashed and stored (read from the staging activity's heartbeats). */
  readonly onProgress?: (progress: StageProgress) => void;
}

/** A unit of work that logs artifacts, as `init()` returns it. Call `finish()` when done to stop its worker. */
export class Run {
  private seq = 0;
  private finished = false;

  constructor(
    private readonly session: Session,
    /** Unique id of this run; workflow ids derive from it so a retried start attaches instead of duplicating. */
    readonly id: string,
    readonly project: string,
    readonly group: string | undefined,
  ) {}

  /**
   * Simple mode: this run provides every file of a new version. Incremental mode: given a draft (from
   * `version.newDraft()`), commits its changes as a new version based on the draft's base.
   */
  logArtifact(artifact: Draft, options?: LogOptions): Promise<SavedDraft>;
  logArtifact(artifact: Artifact, options?: LogOptions): Promise<LoggedVersion>;
  async logArtifact(artifact: Artifact | Draft, options: LogOptions = {}): Promise<LoggedVersion> {
    this.assertOpen();
    if (isDraft(artifact)) return saveDraft(this.session, this.id, artifact, options);
    const store = await this.session.store();
    const spec = artifact.spec();
    const specDigest = await store.putSpec(spec);
    // This process's worker will get the staging activity: start hashing now, while Temporal gets there.
    if (this.session.runsWorker) startEarlyStage(store, specDigest, spec, this.session.config.maxBytesPerSecond);
    const input: LogArtifactInput = {
      name: artifact.name,
      type: artifact.type,
      specDigest,
      hostQueue: hostQueueOf(this.session.config),
      aliases: options.aliases ?? [],
      ...(artifact.description !== undefined ? { description: artifact.description } : {}),
      metadata: artifact.metadata,
      run: this.id,
      heartbeatTimeoutMs: this.session.config.heartbeatTimeoutMs,
    };
    const workflowId = `artifacts/log/${artifact.name}/${this.id}/${this.seq++}`;
    try {
      const handle = await this.session.connections.client.workflow.start<typeof logArtifactWorkflow>('logArtifactWorkflow', {
        taskQueue: this.session.config.taskQueue,
        workflowId,
        args: [input],
      });
      const result = await resultWithProgress<LogArtifactResult>(handle, options.onProgress);
      return new LoggedVersion(result.version, this.session.store, result.created, result.stage);
    } catch (err) {
      cancelEarlyStage(store, specDigest, new Error('the log did not start'));
      throw unwrapFailure(err);
    }
  }

  /**
   * Collaborative mode: adds this run's files to the draft shared by every run with the same `distributedId`
   * (default: this run's group). The files are staged here; the draft hears only their manifest reference. A
   * path another writer filled with other bytes is a DraftConflictError naming both writers; retrying the same
   * upsert is harmless.
   */
  async upsertArtifact(artifact: Artifact, options: UpsertOptions = {}): Promise<UpsertResult> {
    this.assertOpen();
    const distributedId = resolveDistributedId('upsertArtifact', artifact.name, options.distributedId, this.group);
    const workflowId = `artifacts/upsert/${artifact.name}/${distributedId}/${this.id}/${this.seq++}`;
    const result = await sendToDraft(this.session, this.id, workflowId, artifact, distributedId, options, false);
    return upsertResult(result, artifact.name, distributedId, this.id);
  }

  /**
   * Collaborative mode: commits the draft as one version, with this run's files added (it may have none). A
   * second finish returns the same version; an upsert after it is refused with a DraftCommittedError.
   */
  async finishArtifact(artifact: Artifact, options: FinishArtifactOptions = {}): Promise<LoggedVersion> {
    this.assertOpen();
    const distributedId = resolveDistributedId('finishArtifact', artifact.name, options.distributedId, this.group);
    const workflowId = `artifacts/finish/${artifact.name}/${distributedId}/${this.id}/${this.seq++}`;
    return finishedVersion(await sendToDraft(this.session, this.id, workflowId, artifact, distributedId, options, true), this.session);
  }

  /** Stops this run's in-process worker and closes its connections. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.session.close();
  }

  private assertOpen(): void {
    if (this.finished) throw new Error(`Run ${this.id} has finished; call init() again to log more artifacts.`);
  }
}

export function newRunId(): string {
  return randomUUID();
}
