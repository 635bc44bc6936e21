import { UsageError } from '../errors';
import type { Artifact } from './artifact';
import { ArtifactVersion, Draft, LoggedVersion, SavedDraft } from './artifact-version';
import { recordRunUse } from '../store/registry/run-uses';
import {
  finishedVersion, resolveDistributedId, sendToDraft, upsertResult, type DraftWriter, type FinishArtifactOptions, type UpsertOptions, type UpsertResult,
} from './collaborative';
import { pendingWriters, type PendingWriter } from './drafts';
import { logArtifact, type LogOptions } from './log';
import { draftWorkflowId } from '../workflows/ids';
import { saveDraft, type SaveDraftOptions } from './save-draft';
import type { Session } from './session';

/** A unit of work that logs artifacts, as `init()` returns it. Call `finish()` when done to stop its worker. */
export class Run {
  private seq = 0;
  private finished = false;
  /** The versions this run used (`useArtifact`): every version it logs records them as its inputs. */
  private readonly used: { name: string; index: number }[] = [];

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
  logArtifact(artifact: Draft, options?: SaveDraftOptions): Promise<SavedDraft>;
  logArtifact(artifact: Artifact, options?: LogOptions): Promise<LoggedVersion>;
  async logArtifact(artifact: Artifact | Draft, options: SaveDraftOptions = {}): Promise<LoggedVersion> {
    this.assertOpen();
    if (artifact instanceof Draft) return new SavedDraft(await saveDraft(this.session, this.id, artifact, options), this.session.store);
    return LoggedVersion.of(await logArtifact(this.session, this.id, this.seq++, artifact, options, [...this.used]), this.session.store);
  }

  /**
   * Resolves `ref` (in this run's project unless it names one), records that this run used that version (on this
   * host), and returns it to read from: `download`, `checkout`, `getEntry`. Versions this run logs afterwards record
   * it as an input, and `artifacts lineage REF` lists this run among its users.
   *
   *   const data = await run.useArtifact('dataset:latest');
   *   await data.download('./data');
   */
  async useArtifact(ref: string): Promise<ArtifactVersion> {
    this.assertOpen();
    const store = await this.session.store();
    const record = await store.registry.resolve(ref, this.project);
    await recordRunUse(store.registry.db, this.id, record.name, record.index, this.session.config.hostId);
    if (!this.used.some((u) => u.name === record.name && u.index === record.index)) this.used.push({ name: record.name, index: record.index });
    return new ArtifactVersion(record, this.session.store, store);
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
    const result = await sendToDraft(this.writer(), artifact, distributedId, options, false);
    return upsertResult(result, this.session.inProject(artifact.name), distributedId, this.id);
  }

  /**
   * Collaborative mode: commits the draft as one version, with this run's files added (it may have none). A
   * second finish returns the same version; an upsert after it is refused with a DraftCommittedError.
   */
  async finishArtifact(artifact: Artifact, options: FinishArtifactOptions = {}): Promise<LoggedVersion> {
    this.assertOpen();
    const distributedId = resolveDistributedId('finishArtifact', artifact.name, options.distributedId, this.group);
    return finishedVersion(await sendToDraft(this.writer(), artifact, distributedId, options, true), this.session);
  }

  /** Stops this run's in-process worker and closes its connections. */
  /**
   * Collaborative mode: writers of the draft `(name, distributedId)` that started an upsert and have not delivered
   * it (still staging, or their process died and their files wait for a worker on their host). A finish now would
   * commit without their files.
   */
  async pendingWriters(name: string, options: { distributedId?: string } = {}): Promise<PendingWriter[]> {
    const distributedId = resolveDistributedId('pendingWriters', name, options.distributedId, this.group);
    return pendingWriters(this.session, draftWorkflowId(this.session.inProject(name), distributedId));
  }

  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.session.close();
  }

  private writer(): DraftWriter {
    return { session: this.session, writer: this.id, seq: this.seq++ };
  }

  private assertOpen(): void {
    if (this.finished) throw new UsageError(`Run ${this.id} has finished; call init() again to log more artifacts.`);
  }
}
