import { UsageError } from '../errors';
import type { Artifact } from './artifact';
import { ArtifactVersion, Draft, LoggedVersion, SavedDraft } from './artifact-version';
import { recordRunUse } from '../store/registry/run-uses';
import {
  finishedVersion, resolveDistributedId, sendToDraft, upsertResult, type FinishArtifactOptions, type UpsertOptions, type UpsertResult,
} from './collaborative';
import { pendingWriters, type PendingWriter } from './drafts';
import { logArtifact, type LogOptions } from './log';
import { draftWorkflowId } from '../workflows/ids';
import { saveDraft, type SaveDraftOptions } from './save-draft';
import type { SharedSession } from './shared-session';
import { qualifiedName } from '../store/registry/ref';

/**
 * A unit of work that logs artifacts, as `init()` returns it. Its worker and connections close by themselves a
 * moment after the last write ends, so a script that forgets `finish()` still exits; `finish()` (or
 * `await using run = await init()`) closes everything at once.
 */
export class Run implements AsyncDisposable {
  private seq = 0;
  private finished = false;
  /** The versions this run used (`useArtifact`): every version it logs records them as its inputs. */
  private readonly used: { name: string; index: number }[] = [];

  constructor(
    private readonly sessions: SharedSession,
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
    const store = this.sessions.store;
    if (artifact instanceof Draft) return this.sessions.use(async (session) => new SavedDraft(await saveDraft(session, this.id, artifact, options), store));
    const seq = this.seq++;
    const used = [...this.used];
    return this.sessions.use(async (session) => LoggedVersion.of(await logArtifact(session, this.id, seq, artifact, options, used), store));
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
    const store = await this.sessions.store();
    const record = await store.registry.resolve(ref, this.project);
    await recordRunUse(store.registry.db, this.id, record.name, record.index, this.sessions.config.hostId);
    if (!this.used.some((u) => u.name === record.name && u.index === record.index)) this.used.push({ name: record.name, index: record.index });
    return new ArtifactVersion(record, this.sessions.store, store);
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
    const seq = this.seq++;
    const result = await this.sessions.use((session) => sendToDraft({ session, writer: this.id, seq }, artifact, distributedId, options, false));
    return upsertResult(result, qualifiedName(this.project, artifact.name), distributedId, this.id);
  }

  /**
   * Collaborative mode: commits the draft as one version, with this run's files added (it may have none). A
   * second finish returns the same version; an upsert after it is refused with a DraftCommittedError.
   */
  async finishArtifact(artifact: Artifact, options: FinishArtifactOptions = {}): Promise<LoggedVersion> {
    this.assertOpen();
    const distributedId = resolveDistributedId('finishArtifact', artifact.name, options.distributedId, this.group);
    const seq = this.seq++;
    return this.sessions.use(async (session) => finishedVersion(await sendToDraft({ session, writer: this.id, seq }, artifact, distributedId, options, true), session));
  }

  /**
   * Collaborative mode: writers of the draft `(name, distributedId)` that started an upsert and have not delivered
   * it (still staging, or their process died and their files wait for a worker on their host). A finish now would
   * commit without their files.
   */
  async pendingWriters(name: string, options: { distributedId?: string } = {}): Promise<PendingWriter[]> {
    const distributedId = resolveDistributedId('pendingWriters', name, options.distributedId, this.group);
    return this.sessions.use((session) => pendingWriters(session, draftWorkflowId(qualifiedName(this.project, name), distributedId)));
  }

  /** Stops this run's in-process worker and closes its connections and store; a second call does nothing. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.sessions.close();
  }

  /** `await using run = await init()` finishes the run when the block is left, however it is left. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.finish();
  }

  private assertOpen(): void {
    if (this.finished) throw new UsageError(`Run ${this.id} has finished; call init() again to log more artifacts.`);
  }
}
