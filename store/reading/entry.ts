import path from 'node:path';
import { lookupPaths } from '../manifest/manifest-lookup';
import type { ManifestEntry } from '../manifest/manifest';
import { normalizeEntryPath } from '../paths';
import type { VersionRecord } from '../registry/registry';
import type { Store } from '../store';
import { EntryMismatch, entryBytes, expectedOf, verified } from './entry-bytes';
import { TargetFolder } from './target-folder';
import { OriginError } from '../references/origin';
import { IntegrityError, UsageError } from '../../errors';

/** The entry at `entryPath` of a version, reading only the manifest chunks on its way. */
export async function findEntry(store: Store, version: VersionRecord, entryPath: string): Promise<ManifestEntry> {
  const wanted = normalizeEntryPath(entryPath);
  const entry = (await lookupPaths(store.blobs, version.manifest.root, [wanted])).get(wanted);
  if (!entry) {
    const ref = `${version.name}:${version.version}`;
    throw new UsageError(`${ref} has no file ${JSON.stringify(wanted)}; run \`artifacts show ${ref}\` to see its files.`);
  }
  return entry;
}

/**
 * An entry's bytes, verified against its digest (see `verified`: up to 16 MiB nothing of a damaged entry is
 * served; above, the mismatch is an error in place of the end). A damaged stored blob is set aside.
 */
export async function* readEntry(store: Store, entry: ManifestEntry): AsyncIterable<Uint8Array> {
  try {
    yield* verified(entry, entryBytes(store, entry));
  } catch (err) {
    if (err instanceof EntryMismatch && entry.ref === undefined) await store.blobs.setAsideDamaged(entry.digest);
    if (err instanceof OriginError) throw unreachable(entry, err);
    throw err;
  }
}

/** Writes an entry to `file` (temp name, renamed into place only once its bytes matched); returns the absolute path. */
export async function downloadEntry(store: Store, entry: ManifestEntry, file: string): Promise<string> {
  const abs = path.resolve(file);
  const target = await TargetFolder.open(path.dirname(abs), store.home);
  try {
    const expected = expectedOf(entry);
    const written = await target.write(path.basename(abs), entryBytes(store, entry), expected).catch((err: unknown) => {
      throw err instanceof OriginError ? unreachable(entry, err) : err;
    });
    if (expected && (written.digest !== expected.digest || written.size !== expected.size)) {
      if (entry.ref === undefined) await store.blobs.setAsideDamaged(entry.digest);
      throw new EntryMismatch(entry, written.digest);
    }
  } finally {
    target.close();
  }
  return abs;
}

function unreachable(entry: ManifestEntry, err: OriginError): IntegrityError {
  return new IntegrityError(`${entry.path} is a reference whose origin could not be read: ${err.message}. Check that it is reachable (for s3://, the AWS_* variables), then try again.`);
}
