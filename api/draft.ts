import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../store/blobs/blob-store';
import type { Chunk } from '../store/manifest/manifest-chunk';
import { hasPathOrFolder, isUnder, syncChunkReader } from '../store/manifest/manifest-lookup';
import { normalizeEntryPath } from '../store/paths';
import type { VersionRecord } from '../store/registry/registry';
import { UsageError } from '../errors';
import type { SavedDraft } from './artifact-version';
import { init } from './init';
import type { LogOptions } from './run';
import { opsMayContain, SpecBuilder } from './spec-ops';

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

  /** Commits the draft outside a run: starts (or reuses) the embedded default, commits, and disconnects. */
  async save(options: LogOptions = {}): Promise<SavedDraft> {
    const run = await init({ project: 'default' });
    try {
      return await run.logArtifact(this, options);
    } finally {
      await run.finish();
    }
  }

  private inBase(target: string): boolean {
    if (!this.read) return true;
    const removed = this.ops.flatMap((op) => (op.op === 'remove' ? [op.path] : []));
    return hasPathOrFolder(this.read, this.base.manifest.root, target, (path) => removed.some((r) => isUnder(path, r)));
  }
}
