/**
 * A committed version and the draft of the next one. They share this module because each names the other: a
 * version makes a draft (`newDraft`), and a saved draft is a version (`SavedDraft`).
 */
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../store/blobs/blob-store';
import { readManifest, type ManifestEntry } from '../store/manifest/manifest';
import type { Chunk } from '../store/manifest/manifest-chunk';
import { hasPathOrFolder, isUnder, syncChunkReader } from '../store/manifest/manifest-lookup';
import { normalizeEntryPath } from '../store/paths';
import type { Producer, VersionRecord } from '../store/registry/registry';
import { MAX_METADATA_BYTES, type Store } from '../store/store';
import type { VersionChange, VersionPatch } from '../store/registry/version-edits';
import { lineageOf, diffEntries, diffVersions, type Lineage, type VersionDiff } from '../store/registry/lineage';
import { summarizeDiff, type DiffEntry, type DiffSummary } from '../store/manifest/manifest-diff';
import { downloadVersion, verifyVersion, type DownloadResult, type VerifyReport } from '../store/version-files';
import { findEntry } from '../store/reading/entry';
import type { ChangeCounts, IncrementalResult } from '../workflows/incremental-types';
import type { LogArtifactResult, StageSummary } from '../workflows/types';
import { deleteVersions } from '../store/registry/version-lifecycle';
import { UsageError } from '../errors';
import { actorOf } from './actor';
import { saveDraft, type SaveDraftOptions } from './save-draft';
import { sharedSession } from './shared-session';
import { opsMayContain, SpecBuilder } from './spec-ops';
import { VersionEntry } from './version-entry';
import { withRegistry } from './with-registry';

/** A committed, immutable version of an artifact. Its files never change; aliases, description and metadata may. */
export class ArtifactVersion {
  /** With its project, `project/name`, or just `name` in the default project. */
  readonly name: string;
  readonly project: string;
  readonly type: string;
  /** `v0`, `v1`, ... */
  readonly version: string;
  readonly index: number;
  /** The canonical version digest, with its algorithm (BLAKE3; SHA-256 for older versions) over the path-sorted (path, digest, size) list. */
  readonly digest: string;
  readonly aliases: readonly string[];
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly fileCount: number;
  readonly size: number;
  readonly base: string | null;
  readonly producer: Producer | null;
  readonly createdAt: string;
  /** When gc may delete it (its TTL, or its type's default); null: kept until deleted. */
  readonly expiresAt: string | null;

  /**
   * `opened`: the store, when the caller has it open, so a draft made from this version can check removals at once.
   * `actor`: who the registry records for edits (default: ARTIFACTS_USER, or the login name and host).
   */
  constructor(readonly record: VersionRecord, private readonly store: () => Promise<Store>, private readonly opened?: Store, private readonly actor = actorOf()) {
    this.name = record.name;
    this.project = record.project;
    this.type = record.type;
    this.version = record.version;
    this.index = record.index;
    this.digest = record.digest;
    this.aliases = record.aliases;
    // Results recorded before tags existed carry none.
    this.tags = record.tags ?? [];
    this.description = record.description;
    this.metadata = record.metadata;
    this.fileCount = record.manifest.count;
    this.size = record.manifest.size;
    this.base = record.base;
    this.producer = record.producer;
    this.createdAt = record.createdAt;
    this.expiresAt = record.expiresAt;
  }

  /** `name:vN`. */
  get ref(): string {
    return `${this.name}:${this.version}`;
  }

  /** Streams the entries in path order, reading the manifest chunk by chunk. */
  async *entries(): AsyncGenerator<ManifestEntry> {
    yield* readManifest((await this.store()).blobs, this.record.manifest.root);
  }

  async files(): Promise<ManifestEntry[]> {
    const out: ManifestEntry[] = [];
    for await (const e of this.entries()) out.push(e);
    return out;
  }

  /**
   * Writes the version's files (or only those whose path starts with `pathPrefix`) under `directory`, never outside
   * it. Files already there with the right bytes are left untouched and counted as `skipped`; only missing or
   * different ones are fetched. Other files in the folder are left alone (see `checkout`).
   */
  async download(directory: string, options: { pathPrefix?: string } = {}): Promise<DownloadResult> {
    return downloadVersion(await this.store(), this.record, directory, { pathPrefix: options.pathPrefix });
  }

  /**
   * Makes `directory` hold exactly this version: downloads as `download` does, then removes every other file in it.
   * Into a folder no download wrote into before, that holds files the version does not, it fails before writing
   * anything, naming them, unless `{ force: true }`. The data folder is never written into or removed.
   */
  async checkout(directory: string, options: { force?: boolean } = {}): Promise<DownloadResult> {
    return downloadVersion(await this.store(), this.record, directory, { removeStrays: true, force: options.force });
  }

  /** One file, by its path in the version, without downloading the others; a missing path is a UsageError. */
  async getEntry(entryPath: string): Promise<VersionEntry> {
    return new VersionEntry(await findEntry(await this.store(), this.record, entryPath), this.store);
  }

  /** Re-hashes every stored file; the report names each file whose bytes no longer match. */
  async verify(): Promise<VerifyReport> {
    return verifyVersion(await this.store(), this.record);
  }

  /**
   * Deletes this version: its aliases go, `latest` moves to the newest remaining version, its ref then fails saying
   * when and by whom, lineage keeps it as a tombstone, and `artifacts gc` frees the files no other version needs. A
   * version holding custom aliases needs `{ force: true }`.
   */
  async delete(options: { force?: boolean } = {}): Promise<void> {
    await deleteVersions((await withRegistry(this.store, 'delete()', this.ref)).registry, this.name, [this.index], { by: this.actor, force: options.force ?? false });
  }

  /**
   * Points `alias` at this version, moving it off another version of the same name. A protected alias (see
   * `Api.protectAliases`) moves only with `{ force: true }`; every move is recorded in `history()`.
   */
  async addAlias(alias: string, options: { force?: boolean } = {}): Promise<void> {
    await (await withRegistry(this.store, 'addAlias()', this.ref)).registry.setAlias(this.name, alias, this.index, { actor: this.actor, force: options.force });
  }

  /** Takes `alias` off whichever version of this name holds it (a protected one only with `{ force: true }`). */
  async removeAlias(alias: string, options: { force?: boolean } = {}): Promise<void> {
    await (await withRegistry(this.store, 'removeAlias()', this.ref)).registry.removeAlias(this.name, alias, { actor: this.actor, force: options.force });
  }

  /**
   * Changes this version's description, metadata (keys merged, `unsetMetadata` removed) or tags, recording who
   * changed what and when. Files and digest never change. Returns the version as it is now.
   *
   *   await v.update({ description: 'cleaned labels', metadata: { reviewed: true }, addTags: ['audited'] });
   */
  async update(patch: VersionPatch): Promise<ArtifactVersion> {
    const record = await (await withRegistry(this.store, 'update()', this.ref)).registry.update(this.name, this.index, patch, { actor: this.actor, maxMetadataBytes: MAX_METADATA_BYTES });
    return new ArtifactVersion(record, this.store, this.opened, this.actor);
  }

  /** The recorded alias moves and edits of this version, oldest first: what changed, who changed it and when. */
  async history(): Promise<VersionChange[]> {
    return (await withRegistry(this.store, 'history()', this.ref)).registry.changes(this.name, this.index);
  }

  /**
   * A draft of the next version, starting from this one's files without downloading or re-hashing them. Add,
   * replace and remove, then `draft.save()` or `run.logArtifact(draft)`.
   */
  newDraft(): Draft {
    return new Draft(this.record, this.opened?.blobs);
  }

  /** What changed from `other` to this version (added, removed, modified, with sizes), reading only the chunks that differ. */
  async diff(other: ArtifactVersion): Promise<VersionDiff> {
    return diffVersions(await this.store(), other.record, this.record);
  }

  /** Only the counts of `diff` (added, removed, modified, bytes), streamed, holding none of the entries. */
  async diffSummary(other: ArtifactVersion): Promise<DiffSummary> {
    return summarizeDiff(this.diffEntries(other));
  }

  /** The same differences as `diff`, in path order, as a stream (for versions too large to hold every change). */
  async *diffEntries(other: ArtifactVersion): AsyncGenerator<DiffEntry> {
    yield* diffEntries(await this.store(), other.record, this.record);
  }

  /** Who made this version (workflow, run), which version it was based on, which it used, and which were based on it. */
  async lineage(): Promise<Lineage> {
    return lineageOf(await withRegistry(this.store, 'lineage()', this.ref), this.record);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name, project: this.project, type: this.type, version: this.version, digest: this.digest, aliases: this.aliases, tags: this.tags,
      files: this.fileCount, size: this.size, description: this.description, metadata: this.metadata,
      base: this.base, producer: this.producer, createdAt: this.createdAt, expiresAt: this.expiresAt,
    };
  }
}

/** What `logArtifact` returns: the version, whether it is new, and what staging did. */
export class LoggedVersion extends ArtifactVersion {
  constructor(record: VersionRecord, store: () => Promise<Store>, readonly created: boolean, readonly stage: StageSummary) {
    super(record, store);
  }

  /** The version a log workflow returned. */
  static of(result: LogArtifactResult, store: () => Promise<Store>): LoggedVersion {
    return new LoggedVersion(result.version, store, result.created, result.stage);
  }
}

/** What saving a draft returns: the version, its base, whether that base was still `latest`, and the change counts. */
export class SavedDraft extends LoggedVersion {
  /** `vN` the draft was made from. */
  readonly basedOn: string;
  /** `vN` that was `latest` when this version was committed. */
  readonly previousLatest: string;
  /** False when other versions were committed after the base (see `rebasedOnto` and `branched` for what was done). */
  readonly baseWasLatest: boolean;
  /** `vN` the changes were applied on top of, when the base was no longer latest; null when applied on the base. */
  readonly rebasedOnto: string | null;
  /** True when the draft overlapped newer changes and was committed on its old base (`onStale: 'branch'`). */
  readonly branched: boolean;
  /** The paths changed both by the draft and since its base (the first few), when branched. */
  readonly overlapping: readonly string[];
  readonly changes: ChangeCounts;
  /** Manifest chunks this version wrote (its new metadata) and their bytes. */
  readonly chunksWritten: number;
  readonly chunkBytes: number;

  constructor(result: IncrementalResult, store: () => Promise<Store>) {
    super(result.version, store, result.created, result.stage);
    this.basedOn = result.basedOn;
    this.previousLatest = result.previousLatest;
    this.baseWasLatest = result.baseWasLatest;
    // Results recorded before drafts were rebased carry none of these.
    this.rebasedOnto = result.rebasedOnto ?? null;
    this.branched = result.branched ?? false;
    this.overlapping = result.overlapping ?? [];
    this.changes = result.changes;
    this.chunksWritten = result.chunksWritten;
    this.chunkBytes = result.chunkBytes;
  }
}

/**
 * A draft of the next version, made from a committed one by `version.newDraft()`. It starts as the base version's
 * files without downloading or re-hashing any of them. `addFile`, `addDir`, `addReference` and `add` add or replace
 * entries (the same name is a modification); `remove` drops a file or a whole folder and refuses, at once, a name
 * that is not there (the add methods come from SpecBuilder, shared with Artifact). `save()` or `run.logArtifact(draft)` hashes and stores only what was added and commits a
 * version whose base is recorded; it still works when the base is no longer `latest`, and says so.
 *
 *   const draft = (await api.artifact('images:latest')).newDraft();
 *   draft.addFile('new.png').remove('duplicate.png').addFile('fixed.json', { name: 'labels/7.json' });
 *   const v = await draft.save();   // v.basedOn === 'v3', v.changes: { added: 1, removed: 1, modified: 1 }
 */
export class Draft extends SpecBuilder {
  readonly name: string;
  readonly type: string;
  description: string | undefined;
  metadata: Record<string, unknown>;
  /** Identifies this draft's saves: saving the same content again returns the same version. */
  readonly draftId = randomUUID();
  private readonly read: ((digest: string) => Chunk) | undefined;

  /** `blobs`: the store the base lives in; where it offers no synchronous reads, `remove` is checked at save time. */
  constructor(readonly base: VersionRecord, blobs: BlobStore | undefined) {
    super();
    this.name = base.name;
    this.type = base.type;
    this.description = base.description ?? undefined;
    this.metadata = { ...base.metadata };
    this.read = blobs && syncChunkReader(blobs);
  }

  /** `name:vN` of the version this draft starts from. */
  get baseRef(): string {
    return `${this.base.name}:${this.base.version}`;
  }

  /**
   * Removes a file, or every file under a folder, of the base or of what this draft added. The name is looked up
   * in the base manifest at once, reading only the few chunks on its path.
   */
  remove(nameOrPrefix: string): this {
    const target = normalizeEntryPath(nameOrPrefix);
    if (!opsMayContain(this.ops, target) && !this.inBase(target)) {
      throw new UsageError(`remove(${JSON.stringify(nameOrPrefix)}): ${this.baseRef} has no entry or folder by that name (or this draft removed it already); run \`artifacts show ${this.baseRef}\` to see its files.`);
    }
    this.ops.push({ op: 'remove', path: target });
    return this;
  }

  /** Commits the draft outside a run, through the session every save of this process shares (see Artifact.save). */
  async save(options: SaveDraftOptions = {}): Promise<SavedDraft> {
    const shared = sharedSession();
    return shared.use(async (session) => new SavedDraft(await saveDraft(session, randomUUID(), this, options), shared.store));
  }

  private inBase(target: string): boolean {
    if (!this.read) return true;
    const removed = this.ops.flatMap((op) => (op.op === 'remove' ? [op.path] : []));
    return hasPathOrFolder(this.read, this.base.manifest.root, target, (path) => removed.some((r) => isUnder(path, r)));
  }
}
