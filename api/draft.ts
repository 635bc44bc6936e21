import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../store/blob-store';
import type { Chunk } from '../store/manifest-chunk';
import { hasPathOrFolder, isUnder, syncChunkReader } from '../store/manifest-lookup';
import { normalizeEntryPath } from '../store/paths';
import type { VersionRecord } from '../store/registry';
import type { ArtifactSpec, SpecOp } from '../store/spec';
import { UsageError } from '../errors';
import type { SavedDraft } from './artifact-version';
import { init } from './init';
import type { LogOptions } from './run';
import { dirOp, fileOp, type AddLocalOptions, opsMayContain, referenceOp, valueOp } from './spec-ops';

/**
 * A draft of the next version, made from a committed one by `version.newDraft()`. It starts as the base version's
 * files without downloading or re-hashing any of them. `addFile`, `addDir`, `addReference` and `add` add or replace
 * entries (the same name is a modification); `remove` drops a file or a whole folder and refuses, at once, a name
 * that is not there. `save()` or `run.logArtifact(draft)` hashes and stores only what was added and commits a
 * version whose base is recorded; it still works when the base is no longer `latest`, and says so.
 *
 *   const draft = (await api.artifact('images:latest')).newDraft();
 *   draft.addFile('new.png').remove('duplicate.png').addFile('fixed.json', { name: 'labels/7.json' });
 *   const v = await draft.save();   // v.basedOn === 'v3', v.changes: { added: 1, removed: 1, modified: 1 }
 */
export class Draft {
  readonly name: string;
  readonly type: string;
  description: string | undefined;
  metadata: Record<string, unknown>;
  /** Identifies this draft's saves: saving the same content again returns the same version. */
  readonly draftId = randomUUID();
  private readonly ops: SpecOp[] = [];
  private readonly read: ((digest: string) => Chunk) | undefined;

  /** `blobs`: the store the base lives in; where it offers no synchronous reads, `remove` is checked at save time. */
  constructor(readonly base: VersionRecord, blobs: BlobStore | undefined) {
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

  /** Adds or replaces one local file, under `name` (default: its base name). */
  addFile(localPath: string, options: AddLocalOptions = {}): this {
    this.ops.push(fileOp(localPath, options));
    return this;
  }

  /** Adds or replaces every file under a local folder, under the prefix `name` (default: the root). */
  addDir(localDir: string, options: AddLocalOptions = {}): this {
    this.ops.push(dirOp(localDir, options));
    return this;
  }

  addReference(uri: string, options: { name?: string; checksum?: boolean } = {}): this {
    this.ops.push(referenceOp(uri, options));
    return this;
  }

  add(value: unknown, name: string): this {
    this.ops.push(valueOp(value, name));
    return this;
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

  /** Commits the draft outside a run: starts (or reuses) the embedded default, commits, and disconnects. */
  async save(options: LogOptions = {}): Promise<SavedDraft> {
    const run = await init({ project: 'default' });
    try {
      return await run.logArtifact(this, options);
    } finally {
      await run.finish();
    }
  }

  /** The recorded operations, applied in order to the base when the draft is staged. */
  spec(): ArtifactSpec {
    return { format: 'temporal-artifacts/spec@1', ops: [...this.ops] };
  }

  private inBase(target: string): boolean {
    if (!this.read) return true;
    const removed = this.ops.flatMap((op) => (op.op === 'remove' ? [op.path] : []));
    return hasPathOrFolder(this.read, this.base.manifest.root, target, (path) => removed.some((r) => isUnder(path, r)));
  }
}
