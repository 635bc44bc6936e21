import { isChunked } from '../blobs/chunked-files';
import { ingestPool } from '../blobs/hash-copy-pool';
import { LocalBlobStore } from '../blobs/local-blob-store';
import type { PlaceSmallFile, PlaceSmallJob } from '../blobs/placing-jobs';
import type { BlobStore } from '../blobs/blob-store';
import type { ManifestEntry } from '../manifest/manifest';
import { partialName } from './partial-files';
import { stillThere } from './placed-check';
import type { FileStamp } from './file-stamp';
import type { StatCache } from './stat-cache';
import type { TargetFolder } from './target-folder';

/** Entries up to this size are placed in batches. */
export const SMALL = 1 << 20;
/** Files per batch: enough to make a thread's round trip cheap, few enough to keep every thread busy. */
const BATCH = 128;
/** Batches queued per thread, so a thread never waits for the next one. */
const QUEUED_PER_THREAD = 2;

/**
 * Places the small entries of the local store that are new to the folder, or whose file still holds another
 * version's bytes as a download left them, in batches of one folder each on the ingest threads (see `place-small`
 * in placing-jobs.ts): each file is read with one call, hashed, and created under its name (an old one replaced
 * through a temp name), several folders at once. Calls `placed` for each; returns the entries left for the usual
 * road (larger ones, references, files a download left with these very bytes or that were changed since, and any
 * this could not place: something was there, or the blob is missing or damaged; that road looks again and reports
 * it), in their order.
 */
export async function placeSmallBatches(blobs: BlobStore, target: TargetFolder, cache: StatCache, entries: readonly ManifestEntry[], placed: (entry: ManifestEntry, stamp: FileStamp) => void): Promise<ManifestEntry[]> {
  if (!(blobs instanceof LocalBlobStore)) return [...entries];
  const left = new Set<ManifestEntry>();
  const inFlight: Promise<void>[] = [];
  const window = ingestPool.size * QUEUED_PER_THREAD;
  const folders = new Set<string>();
  const replaced = new Set<ManifestEntry>();
  let failure: unknown;
  let batch: ManifestEntry[] = [];
  const fileOf = (e: ManifestEntry): PlaceSmallFile => {
    const file = { leaf: e.path.slice(e.path.lastIndexOf('/') + 1), blobFile: blobs.pathOf(e.digest), digest: e.digest, size: e.size };
    return replaced.has(e) ? { ...file, replace: partialName() } : file;
  };
  const send = (): void => {
    const folder = target.holdFolderOf(batch[0]!.path);
    const sent = batch;
    batch = [];
    const job: PlaceSmallJob = { kind: 'place-small', folder: folder.at, files: sent.map(fileOf) };
    const done = ingestPool.run(job, undefined, undefined).then((m) => {
      if (m.type !== 'place-small-done') throw new Error(`unexpected ${m.type} from a small-file placing`);
      m.stamps.forEach((stamp, i) => (stamp === null ? left.add(sent[i]!) : placed(sent[i]!, stampFrom(stamp))));
    });
    // Every batch is awaited before its folder is closed, and before this returns.
    inFlight.push(done.catch((err: unknown) => void (failure ??= err)).finally(folder.close));
  };
  for (const entry of entries) {
    if (failure !== undefined) break;
    if (entry.ref !== undefined || entry.size > SMALL || isChunked(entry.digest)) {
      left.add(entry);
      continue;
    }
    const known = cache.knownDigest(entry.path);
    if (known !== undefined) {
      // Another version's bytes, unchanged since a download put them there: replaced without being read.
      const row = known === entry.digest ? undefined : cache.rowOf(entry.path);
      if (!row || !stillThere(target.root, entry.path, row, folders)) {
        left.add(entry);
        continue;
      }
      replaced.add(entry);
    }
    if (batch.length > 0 && (batch.length >= BATCH || folderOf(batch[0]!.path) !== folderOf(entry.path))) send();
    batch.push(entry);
    if (inFlight.length >= window) await inFlight.shift();
  }
  if (batch.length > 0 && failure === undefined) send();
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return entries.filter((e) => left.has(e));
}

function stampFrom(line: string): FileStamp {
  const [size, mtimeNs, ctimeNs, ino, dev] = line.split(' ') as [string, string, string, string, string];
  return { size: Number(size), mtimeNs, ctimeNs, ino, dev };
}

function folderOf(entryPath: string): string {
  return entryPath.slice(0, entryPath.lastIndexOf('/') + 1);
}
