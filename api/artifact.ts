import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeEntryPath, normalizePrefix } from '../store/paths';
import { checkArtifactName } from '../store/ref';
import type { ArtifactSpec, SpecOp } from '../store/spec';
import { LocalFileError, UsageError } from '../errors';
import { init } from './init';
import type { LogOptions } from './run';
import type { LoggedVersion } from './artifact-version';

/**
 * An artifact being assembled. `addFile`, `addDir`, `addReference`, `add` and `remove` record intent at once and
 * fail fast on a bad name or a missing file; hashing and uploading happen later, inside a durable activity.
 * Adding a name that is already there replaces that entry.
 */
export class Artifact {
  description: string | undefined;
  metadata: Record<string, unknown>;
  protected readonly ops: SpecOp[] = [];

  constructor(readonly name: string, readonly type: string, options: { description?: string; metadata?: Record<string, unknown> } = {}) {
    checkArtifactName(name);
    if (typeof type !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(type)) {
      throw new UsageError(`Invalid artifact type ${JSON.stringify(type)} for ${JSON.stringify(name)}: use a word such as "dataset", "model" or "predictions".`);
    }
    this.description = options.description;
    this.metadata = { ...(options.metadata ?? {}) };
  }

  /** Adds one local file, under `name` (default: its base name). */
  addFile(localPath: string, options: { name?: string } = {}): this {
    const st = statOrThrow(localPath);
    if (!st.isFile()) throw new LocalFileError(localPath, 'it is not a regular file; use addDir for a folder');
    const entry = normalizeEntryPath(options.name ?? path.basename(localPath));
    this.ops.push({ op: 'file', local: path.resolve(localPath), path: entry });
    return this;
  }

  /** Adds every file under a local folder, under the prefix `name` (default: the artifact root). */
  addDir(localDir: string, options: { name?: string } = {}): this {
    const st = statOrThrow(localDir);
    if (!st.isDirectory()) throw new LocalFileError(localDir, 'it is not a folder; use addFile for a single file');
    this.ops.push({ op: 'dir', local: path.resolve(localDir), prefix: normalizePrefix(options.name) });
    return this;
  }

  /**
   * Tracks a file by URI without copying it into the store. `file://` URIs are checksummed (SHA-256 of the bytes)
   * unless `checksum: false`, in which case the URI itself is the identity.
   */
  addReference(uri: string, options: { name?: string; checksum?: boolean } = {}): this {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new UsageError(`addReference(${JSON.stringify(uri)}): not a URI; write file:///absolute/path or another scheme://...`);
    }
    const checksum = options.checksum ?? true;
    if (checksum && url.protocol !== 'file:') {
      throw new UsageError(`addReference(${JSON.stringify(uri)}): only file:// references can be checksummed here; pass { checksum: false } to track the URI itself.`);
    }
    if (url.protocol === 'file:' && checksum) {
      const st = statOrThrow(fileURLToPath(url));
      if (!st.isFile()) throw new LocalFileError(fileURLToPath(url), 'a reference must name a file');
    }
    const base = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
    const entry = normalizeEntryPath(options.name ?? base);
    this.ops.push({ op: 'ref', uri: url.href, path: entry, checksum });
    return this;
  }

  /**
   * Adds a JSON-serializable value (such as a table: `{ columns, rows }`) as `name`, stored as JSON; `.json` is
   * appended when the name has no `.json` ending.
   */
  add(value: unknown, name: string): this {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (err) {
      throw new UsageError(`add(value, ${JSON.stringify(name)}): the value is not JSON-serializable (${(err as Error).message}).`);
    }
    if (json === undefined) throw new UsageError(`add(value, ${JSON.stringify(name)}): the value is not JSON-serializable (got ${typeof value}).`);
    const entry = normalizeEntryPath(name.endsWith('.json') ? name : `${name}.json`);
    this.ops.push({ op: 'value', path: entry, json });
    return this;
  }

  /** Removes an entry, or every entry under a folder prefix, added earlier to this artifact. */
  remove(nameOrPrefix: string): this {
    const target = normalizeEntryPath(nameOrPrefix);
    if (!this.mayContain(target)) {
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

  protected mayContain(target: string): boolean {
    let present = false;
    for (const op of this.ops) {
      if (op.op === 'dir') present ||= op.prefix === '' || target === op.prefix || target.startsWith(`${op.prefix}/`) || op.prefix.startsWith(`${target}/`);
      else if (op.op === 'remove') present &&= !(op.path === target || target.startsWith(`${op.path}/`));
      else present ||= op.path === target || op.path.startsWith(`${target}/`);
    }
    return present;
  }
}

function statOrThrow(localPath: string): fs.Stats {
  try {
    return fs.statSync(localPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LocalFileError(localPath, code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : String(err));
  }
}
