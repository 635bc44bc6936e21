import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeEntryPath, normalizePrefix } from '../store/paths';
import type { ArtifactSpec, SpecOp } from '../store/staging/spec';
import { LocalFileError, UsageError } from '../errors';

/**
 * The operations `addFile`, `addDir`, `addReference` and `add` record, built and checked here once for both a new
 * Artifact and a Draft: each fails fast on a bad name or a missing file, and touches no file content.
 */
export interface AddLocalOptions {
  /** The entry name (a file) or prefix (a folder); default: the file's base name, or the artifact root. */
  readonly name?: string;
  /**
   * Opt-in: on a local store, keep a hard link to each file instead of copying its bytes (hashing is then the only
   * work). Only for files nobody will edit in place afterwards: such an edit changes the stored version too, and
   * `verify` then reports it as corrupted. Replacing a file (write a new one, rename over) is safe.
   */
  readonly hardLinkIntoStore?: boolean;
}

export function fileOp(localPath: string, options: AddLocalOptions): SpecOp {
  const st = statOrThrow(localPath);
  if (!st.isFile()) throw new LocalFileError(localPath, 'it is not a regular file; use addDir for a folder');
  const op = { op: 'file' as const, local: path.resolve(localPath), path: normalizeEntryPath(options.name ?? path.basename(localPath)) };
  return options.hardLinkIntoStore ? { ...op, hardLinkIntoStore: true } : op;
}

export function dirOp(localDir: string, options: AddLocalOptions): SpecOp {
  const st = statOrThrow(localDir);
  if (!st.isDirectory()) throw new LocalFileError(localDir, 'it is not a folder; use addFile for a single file');
  const op = { op: 'dir' as const, local: path.resolve(localDir), prefix: normalizePrefix(options.name) };
  return options.hardLinkIntoStore ? { ...op, hardLinkIntoStore: true } : op;
}

export function referenceOp(uri: string, options: { name?: string; checksum?: boolean }): SpecOp {
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
  return { op: 'ref', uri: url.href, path: normalizeEntryPath(options.name ?? base), checksum };
}

export function valueOp(value: unknown, name: string): SpecOp {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new UsageError(`add(value, ${JSON.stringify(name)}): the value is not JSON-serializable (${(err as Error).message}).`);
  }
  if (json === undefined) throw new UsageError(`add(value, ${JSON.stringify(name)}): the value is not JSON-serializable (got ${typeof value}).`);
  return { op: 'value', path: normalizeEntryPath(name.endsWith('.json') ? name : `${name}.json`), json };
}

/** Whether the operations so far may have put an entry at `target` or under the folder `target` (and not removed it since). */
export function opsMayContain(ops: readonly SpecOp[], target: string): boolean {
  let present = false;
  for (const op of ops) {
    if (op.op === 'dir') present ||= op.prefix === '' || target === op.prefix || target.startsWith(`${op.prefix}/`) || op.prefix.startsWith(`${target}/`);
    else if (op.op === 'remove') present &&= !(op.path === target || target.startsWith(`${op.path}/`));
    else present ||= op.path === target || op.path.startsWith(`${target}/`);
  }
  return present;
}

/**
 * The add operations shared by a new Artifact and a Draft: each records intent at once and fails fast on a bad
 * name or a missing file; hashing and uploading happen later, inside a durable activity. Adding a name that is
 * already there replaces that entry.
 */
export abstract class SpecBuilder {
  protected readonly ops: SpecOp[] = [];

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

  /** The recorded operations, as the staging activity will apply them. */
  spec(): ArtifactSpec {
    return { format: 'temporal-artifacts/spec@1', ops: [...this.ops] };
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
