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

/** How a reference is added: `name` (an entry, or for an S3 prefix the folder its objects go under), checksum, and the most objects an S3 prefix may expand to. */
export interface ReferenceOptions {
  readonly name?: string;
  /** Default true: record the digest (BLAKE3) of the content now, and check it at every download. False: the URI only. */
  readonly checksum?: boolean;
  /** S3 prefixes: refuse one holding more objects than this (default 10,000). */
  readonly maxObjects?: number;
}

export function referenceOp(uri: string, options: ReferenceOptions): SpecOp {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new UsageError(`addReference(${JSON.stringify(uri)}): not a URI; write file:///absolute/path, https://host/path or s3://bucket/prefix.`);
  }
  if (!['file:', 'http:', 'https:', 's3:'].includes(url.protocol)) {
    throw new UsageError(`addReference(${JSON.stringify(uri)}): ${url.protocol}// is not supported; use file://, http(s):// or s3://.`);
  }
  const checksum = options.checksum ?? true;
  if (url.protocol === 'file:' && checksum) {
    const st = statOrThrow(fileURLToPath(url));
    if (!st.isFile()) throw new LocalFileError(fileURLToPath(url), 'a reference must name a file');
  }
  const { maxObjects } = options;
  if (maxObjects !== undefined && (!Number.isInteger(maxObjects) || maxObjects < 1)) throw new UsageError(`addReference(${JSON.stringify(uri)}): maxObjects must be a positive integer, not ${maxObjects}.`);
  if (url.protocol === 's3:' && checksum) {
    // A prefix's objects are listed at staging; the name is the folder they go under (or the single object's name).
    // Unchecked, the URI alone is recorded, as one entry, and nothing is listed.
    return { op: 'ref', uri: url.href, path: options.name === undefined ? '' : normalizeEntryPath(options.name), checksum, ...(maxObjects ? { maxObjects } : {}) };
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
    if (op.op === 'dir') present ||= op.prefix === '' || isUnderEither(op.prefix, target);
    else if (op.op === 'remove') present &&= !(op.path === target || target.startsWith(`${op.path}/`));
    // An S3 reference may be a prefix: like a folder, it may hold anything under its name.
    else if (op.op === 'ref' && op.uri.startsWith('s3:') && op.checksum) present ||= op.path === '' || isUnderEither(op.path, target);
    else present ||= op.path === target || op.path.startsWith(`${target}/`);
  }
  return present;
}

function isUnderEither(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
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
   * Tracks files by URI without copying them into the store: `file://`, `http(s)://`, or `s3://bucket/key` (one
   * object) or `s3://bucket/prefix` (every object under it, at most `maxObjects`, by key below the prefix). With
   * checksums on (the default) the digest (BLAKE3) of the content is recorded when the artifact is staged and checked at
   * every download, so a changed origin is named instead of served; `checksum: false` records the URI only.
   */
  addReference(uri: string, options: ReferenceOptions = {}): this {
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
