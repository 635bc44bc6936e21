import { isChunked } from '../blobs/chunked-files';
import { ingestPool } from '../blobs/hash-copy-pool';
import { LocalBlobStore } from '../blobs/local-blob-store';
import { NATIVE_DIGEST as BLAKE3, nativeError, nativeHelper, type NativeHelper } from '../blobs/native';
import { packSmallBatch, type PlaceSmallDone, type PlaceSmallFile, type PlaceSmallJob } from '../blobs/placing-jobs';
import type { BlobStore } from '../blobs/blob-store';
import type { ManifestEntry } from '../manifest/manifest';
import { partialName } from './partial-files';
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
 * With the native helper, batches go in calls of up to this many files or folders (each folder held open until its
 * call ends), two calls at a time: one call spreads its batches over threads of its own.
 */
const CALL_FILES = 512;
const CALL_FOLDERS = 32;
/** Fetched bytes held by the calls being gathered: a call goes once it holds this many. */
const CALL_BYTES = 16 << 20;
const CALLS_IN_FLIGHT = 2;

/** A batch sent, waiting for its folder to be closed: what was sent, and where. */
interface SentBatch {
  readonly folder: { readonly at: string; close(): void };
  readonly entries: readonly ManifestEntry[];
  readonly files: readonly PlaceSmallFile[];
}

/**
 * Places the small entries that are new to the folder, or whose file still holds another version's bytes as a
 * download left them (`replaceable`), in batches of one folder each, on the native helper's threads or else the
 * ingest threads (see `place-small` in placing-jobs.ts): each file checked against its digest and created under its
 * name (an old one replaced through a temp name), several folders at once. From the local store each is read from
 * its blob there; from a remote one (with the native helper only) its bytes are fetched through the read cache, up
 * to the store's `prefetch` ahead, and handed over. Calls `placed` for each; returns the entries left for the usual
 * road (larger ones, references, files a download left that changed since, and any this could not place: something
 * was there, or the blob is missing or damaged; that road looks again and reports it), in their order.
 */
export async function placeSmallBatches(blobs: BlobStore, target: TargetFolder, cache: StatCache, plan: SmallPlan, placed: (entry: ManifestEntry, stamp: FileStamp) => void): Promise<ManifestEntry[]> {
  const { entries, replaceable } = plan;
  const local = blobs instanceof LocalBlobStore;
  const fetching = !local && nativeHelper() !== undefined && (blobs.prefetch ?? 0) > 0;
  if (!local && !fetching) return [...entries];
  const left = new Set<ManifestEntry>();
  const taken = entries.filter((e) => {
    // A file a download put there and that changed since is left for the usual road to look at; so is, from a remote
    // store, a blob the helper cannot check (SHA-256).
    const fits = e.ref === undefined && e.size <= SMALL && !isChunked(e.digest) && (replaceable.has(e) || !cache.knows(e.path)) && (local || e.digest.startsWith(BLAKE3));
    if (!fits) left.add(e);
    return fits;
  });
  const sender = new BatchSender(local ? blobs.root : '', (sent, m) => m.stamps.forEach((stamp, i) => (stamp === null ? left.add(sent.entries[i]!) : placed(sent.entries[i]!, stampFrom(stamp)))));
  const bytesOf = fetching ? fetchedAhead(blobs, taken, blobs.prefetch!) : undefined;
  let batch: ManifestEntry[] = [];
  let files: PlaceSmallFile[] = [];
  const send = (): void => {
    sender.send({ folder: target.holdFolderOf(batch[0]!.path), entries: batch, files });
    [batch, files] = [[], []];
  };
  for (let i = 0; i < taken.length && !sender.failed; i++) {
    const entry = taken[i]!;
    const bytes = bytesOf && (await bytesOf(i));
    if (bytesOf && !bytes) {
      left.add(entry);
      continue;
    }
    if (batch.length > 0 && (batch.length >= BATCH || folderOf(batch[0]!.path) !== folderOf(entry.path))) send();
    const file = { leaf: entry.path.slice(entry.path.lastIndexOf('/') + 1), digest: entry.digest, size: entry.size, ...(bytes ? { bytes } : {}) };
    batch.push(entry);
    files.push(replaceable.has(entry) ? { ...file, replace: partialName() } : file);
    await sender.room();
  }
  if (batch.length > 0 && !sender.failed) send();
  await sender.finish();
  return entries.filter((e) => left.has(e));
}

/**
 * The bytes of each of `entries` from a remote store (through its read cache, checked there), asked for up to `window`
 * ahead of the one taken; undefined for one that could not be read (the usual road reads it again, and says why).
 */
function fetchedAhead(blobs: BlobStore, entries: readonly ManifestEntry[], window: number): (i: number) => Promise<Buffer | undefined> {
  const started = new Map<number, Promise<Buffer | undefined>>();
  const start = (i: number): void => {
    if (i < entries.length && !started.has(i)) started.set(i, blobs.getBytes(entries[i]!.digest).catch(() => undefined));
  };
  return (i) => {
    for (let k = i; k < i + window; k++) start(k);
    const bytes = started.get(i)!;
    started.delete(i);
    return bytes;
  };
}

/**
 * Sends batches to be placed: with the native helper, in calls of several batches on its own threads; else one
 * batch per job on the ingest threads. Every batch is awaited before its folder is closed, and before `finish` ends.
 */
class BatchSender {
  private readonly native = nativeHelper();
  private readonly window = this.native ? CALLS_IN_FLIGHT : ingestPool.size * QUEUED_PER_THREAD;
  private readonly inFlight: Promise<void>[] = [];
  private call: SentBatch[] = [];
  private callFiles = 0;
  private callBytes = 0;
  private failure: unknown;

  /** `blobRoot`: the local store's root, where each file's blob is ('' when every file's bytes are given). */
  constructor(private readonly blobRoot: string, private readonly settled: (sent: SentBatch, done: PlaceSmallDone) => void) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  send(sent: SentBatch): void {
    if (this.native && sent.files.every((f) => f.digest.startsWith(BLAKE3))) {
      this.call.push(sent);
      this.callFiles += sent.files.length;
      this.callBytes += sent.files.reduce((n, f) => n + (f.bytes?.length ?? 0), 0);
      if (this.callFiles >= CALL_FILES || this.call.length >= CALL_FOLDERS || this.callBytes >= CALL_BYTES) this.flush();
      return;
    }
    const job: PlaceSmallJob = { kind: 'place-small', folder: sent.folder.at, blobRoot: this.blobRoot, files: sent.files };
    this.track([sent], ingestPool.run(job, undefined, undefined).then((m) => {
      if (m.type !== 'place-small-done') throw new Error(`unexpected ${m.type} from a small-file placing`);
      this.settled(sent, m);
    }));
  }

  /** Waits while as many calls or jobs as keep every thread busy are in flight. */
  async room(): Promise<void> {
    if (this.inFlight.length >= this.window) await this.inFlight.shift();
  }

  /** Sends what is gathered, waits for everything sent, and throws the first failure met. */
  async finish(): Promise<void> {
    if (this.call.length > 0 && !this.failed) this.flush();
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  private flush(): void {
    const sent = this.call;
    this.call = [];
    this.callFiles = 0;
    this.callBytes = 0;
    this.track(sent, placeNatively(this.native!, this.blobRoot, sent).then((done) => done.forEach((m, k) => this.settled(sent[k]!, m))));
  }

  private track(sent: readonly SentBatch[], done: Promise<void>): void {
    this.inFlight.push(done.catch((err: unknown) => void (this.failure ??= err)).finally(() => sent.forEach((b) => b.folder.close())));
  }
}

/** Small entries to place, and those whose file holds an older version's bytes as a download left them (replaced unread). */
export interface SmallPlan {
  readonly entries: readonly ManifestEntry[];
  readonly replaceable: ReadonlySet<ManifestEntry>;
}

/** Batches placed by the native helper in one call, on its own threads; the first failure met is thrown. */
async function placeNatively(native: NativeHelper, blobRoot: string, sent: readonly SentBatch[]): Promise<PlaceSmallDone[]> {
  const batches = sent.map((b) => packSmallBatch(b.folder.at, b.files));
  const done = await native.placeSmallBatches(blobRoot, batches, ingestPool.size);
  const failed = done.find((d) => d.failure);
  if (failed?.failure) throw nativeError(failed.failure);
  return done.map((d) => ({ type: 'place-small-done', stamps: d.stamps }));
}

function stampFrom(line: string): FileStamp {
  const [size, mtimeNs, ctimeNs, ino, dev] = line.split(' ') as [string, string, string, string, string];
  return { size: Number(size), mtimeNs, ctimeNs, ino, dev };
}

function folderOf(entryPath: string): string {
  return entryPath.slice(0, entryPath.lastIndexOf('/') + 1);
}
