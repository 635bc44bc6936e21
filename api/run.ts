import { randomUUID } from 'node:crypto';
import type { Artifact } from './artifact';
import { LoggedVersion, type SavedDraft } from './artifact-version';
import type { Draft } from './draft';
import { unwrapFailure } from './failures';
import { resultWithProgress } from './progress';
import { isDraft, saveDraft } from './save-draft';
import type { Session } from './session';
import { hostQueueOf } from '../runtime/config';
import type { StageProgress } from '../store/stager';
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
    const specDigest = await store.putSpec(artifact.spec());
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
      throw unwrapFailure(err);
    }
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
