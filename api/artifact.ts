import { normalizeEntryPath } from '../store/paths';
import { checkArtifactName } from '../store/ref';
import type { ArtifactSpec, SpecOp } from '../store/spec';
import { UsageError } from '../errors';
import { init } from './init';
import type { LogOptions } from './run';
import type { LoggedVersion } from './artifact-version';
import { dirOp, fileOp, type AddLocalOptions, opsMayContain, referenceOp, valueOp } from './spec-ops';

/**
 * An artifact being assembled. `addFile`, `addDir`, `addReference`, `add` and `remove` record intent at once and
 * fail fast on a bad name or a missing file; hashing and uploading happen later, inside a durable activity.
 * Adding a name that is already there replaces that entry.
 */
export class Artifact {
  description: string | undefined;
  metadata: Record<string, unknown>;
  private readonly ops: SpecOp[] = [];

  constructor(readonly name: string, readonly type: string, options: { description?: string; metadata?: Record<string, unknown> } = {}) {
    checkArtifactName(name);
    if (typeof type !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(type)) {
      throw new UsageError(`Invalid artifact type ${JSON.stringify(type)} for ${JSON.stringify(name)}: use a word such as "dataset", "model" or "predictions".`);
    }
    this.description = options.description;
    this.metadata = { ...(options.metadata ?? {}) };
  }

  /** Adds one local file, under `name` (default: its base name). */
  addFile(localPath: string, options: AddLocalOptions = {}): this {
    this.ops.push(fileOp(localPath, options));
    return this;
  }

  /** Adds every file under a local folder, under the prefix `name` (default: the artifact root). */
  addDir(localDir: string, options: AddLocalOptions = {}): this {
    this.ops.push(dirOp(localDir, options));
    return this;
  }

  /**
   * Tracks a file by URI without copying it into the store. `file://` URIs are checksummed (SHA-256 of the bytes)
   * unless `checksum: false`, in which case the URI itself is the identity.
   */
  addReference(uri: string, options: { name?: string; checksum?: boolean } = {}): this {
    this.ops.push(referenceOp(uri, options));
    return this;
  }

  /**
   * Adds a JSON-serializable value (such as a table: `{ columns, rows }`) as `name`, stored as JSON; `.json` is
   * appended when the name has no `.json` ending.
   */
  add(value: unknown, name: string): this {
    this.ops.push(valueOp(value, name));
    return this;
  }

  /** Removes an entry, or every entry under a folder prefix, added earlier to this artifact. */
  remove(nameOrPrefix: string): this {
    const target = normalizeEntryPath(nameOrPrefix);
    if (!opsMayContain(this.ops, target)) {
      throw new UsageError(`remove(${JSON.stringify(nameOrPrefix)}): artifact ${JSON.stringify(this.name)} has no entry or folder by that name; check the names you added.`);
    }
    this.ops.push({ op: 'remove', path: target });
    return this;
  }

  /** Logs this artifact outside a run: starts (or reuses) the embedded default, commits, and disconnects. */
  async save(options: LogOptions = {}): Promise<LoggedVersion> {
    const run = await init({ project: 'default' });
    try {
      return await run.logArtifact(this, options);
    } finally {
      await run.finish();
    }
  }

  /** The recorded operations, as the staging activity will apply them. */
  spec(): ArtifactSpec {
    return { format: 'temporal-artifacts/spec@1', ops: [...this.ops] };
  }
}
