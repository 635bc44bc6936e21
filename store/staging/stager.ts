import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { IngestCheckpoint } from '../blobs/blob-store';
import { hashFile, sha256 } from '../blobs/digest';
import { ManifestWriter, type ManifestEntry, type ManifestRef } from '../manifest/manifest';
import { comparePaths, joinEntryPath, normalizeEntryPath } from '../paths';
import type { ArtifactSpec } from './spec';
import { statSourceFile } from '../blobs/source-file';
import type { Store } from '../store';
import { walkDir, type SkippedPath } from './walk';
import { UsageError } from '../../errors';

type Source =
  | { readonly kind: 'file'; readonly local: string; readonly size: number; readonly mtimeMs: number; readonly hardLink: boolean }
  | { readonly kind: 'ref'; readonly uri: string; readonly checksum: boolean; readonly size: number }
  | { readonly kind: 'value'; readonly json: string; readonly size: number };

/** Progress of a staging run; JSON, small, and enough for a later attempt to pick up where this one stopped. */
export interface StageProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Large files being written right now, each resumable from its checkpoint. */
  readonly checkpoints?: readonly IngestCheckpoint[] | undefined;
  /** Large files already stored by an earlier attempt, so a retry does not read them again. */
  readonly done?: readonly DoneFile[] | undefined;
}

export interface DoneFile {
  readonly local: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly digest: string;
}

export interface StageOptions {
  readonly resume?: StageProgress | undefined;
  readonly onProgress?: ((progress: StageProgress) => void) | undefined;
  readonly maxBytesPerSecond?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface StageResult {
  readonly manifest: ManifestRef;
  readonly files: number;
  readonly bytes: number;
  /** Bytes newly written to the blob store by this attempt. */
  readonly bytesWritten: number;
  /** Bytes taken over from an earlier attempt (resumed uploads and files it had finished). */
  readonly resumedBytes: number;
  /** Multipart parts this attempt sent (object stores only); parts an earlier attempt completed are not sent again. */
  readonly partsSent?: number;
  readonly skipped: readonly SkippedPath[];
  /** True when the logging process began this staging before Temporal dispatched the activity, which adopted it. */
  readonly startedEarly?: boolean;
}

/** Files at least this large are ingested on worker threads, and remembered in progress once stored so a retry skips them. */
const LARGE = 4 << 20;
/** Ingests in flight: one more than the cores, so a worker that finishes finds its next job already queued. */
const CONCURRENCY = Math.max(2, os.availableParallelism()) + 1;
const MAX_DONE = 2000;
/** Small files go to worker threads in batches this big (whichever bound comes first). */
const BATCH_FILES = 256;
const BATCH_BYTES = 8 << 20;
/** Fewer small files than this are ingested inline on the calling thread. */
const MIN_BATCHED = 64;

type FileSource = Source & { kind: 'file' };
interface Pending { readonly index: number; readonly entryPath: string; readonly source: FileSource }

/**
 * Applies a spec's operations in order (a later add of the same path replaces the earlier one; remove drops a
 * path or a whole folder prefix), then hashes and stores every file once, and writes the manifest tree.
 */
export async function stageSpec(store: Store, spec: ArtifactSpec, options: StageOptions = {}): Promise<StageResult> {
  const skipped: SkippedPath[] = [];
  const sources = resolveSpec(spec, skipped);
  const paths = [...sources.keys()].sort(comparePaths);
  const bytesTotal = paths.reduce((n, p) => n + sources.get(p)!.size, 0);
  const done = new Map((options.resume?.done ?? []).map((d) => [d.local, d]));
  const doneList: DoneFile[] = [...done.values()];
  let filesDone = 0;
  let bytesDone = 0;
  let bytesWritten = 0;
  let resumedBytes = 0;
  let partsSent = 0;
  let lastYield = Date.now();
  const inFlight = new Map<string, IngestCheckpoint | undefined>();
  const report = (): void => {
    const checkpoints = [...inFlight.values()].filter((c): c is IngestCheckpoint => c !== undefined);
    const partial = checkpoints.reduce((n, c) => n + c.bytesDone, 0);
    options.onProgress?.({ filesDone, filesTotal: paths.length, bytesDone: bytesDone + partial, bytesTotal, checkpoints, done: doneList });
  };
  const finished = (source: Source): void => {
    filesDone++;
    bytesDone += source.size;
  };

  const entries: ManifestEntry[] = new Array<ManifestEntry>(paths.length);
  // Large files are ingested concurrently (each hashes on its own core); small ones inline, which is faster.
  const tasks = new Set<Promise<void>>();
  let failure: unknown;
  const ingestLarge = async (index: number, entryPath: string, source: FileSource): Promise<void> => {
    inFlight.set(source.local, undefined);
    try {
      const resume = options.resume?.checkpoints?.find((c) => c.localPath === source.local);
      const result = await store.blobs.ingestFile(source.local, {
        resume,
        maxBytesPerSecond: options.maxBytesPerSecond,
        signal: options.signal,
        hardLinkIntoStore: source.hardLink,
        onCheckpoint: (cp) => {
          inFlight.set(source.local, cp);
          report();
        },
      });
      entries[index] = { path: entryPath, digest: result.digest, size: result.size };
      bytesWritten += result.bytesWritten;
      resumedBytes += result.resumedBytes;
      partsSent += result.partsSent ?? 0;
      if (doneList.length < MAX_DONE) doneList.push({ local: source.local, size: source.size, mtimeMs: source.mtimeMs, digest: result.digest });
      finished(source);
    } catch (err) {
      failure ??= err;
    } finally {
      inFlight.delete(source.local);
    }
  };

  // Small files go to worker threads in batches when the store offers it (one batch per link mode); a read-rate
  // cap keeps them on the per-file path, which honours it.
  // A handful of small files (an incremental draft's) is quicker inline than starting worker threads for it.
  let smallFiles = 0;
  for (const source of sources.values()) if (source.kind === 'file' && source.size < LARGE) smallFiles++;
  const batchIngest = options.maxBytesPerSecond || smallFiles < MIN_BATCHED ? undefined : store.blobs.ingestFiles?.bind(store.blobs);
  const pending: Record<'copy' | 'link', Pending[]> = { copy: [], link: [] };
  const pendingBytes = { copy: 0, link: 0 };
  const ingestBatch = async (batch: readonly Pending[], hardLink: boolean): Promise<void> => {
    try {
      const results = await batchIngest!(batch.map((p) => p.source.local), { signal: options.signal, hardLinkIntoStore: hardLink });
      for (const [i, { index, entryPath, source }] of batch.entries()) {
        const result = results[i]!;
        entries[index] = { path: entryPath, digest: result.digest, size: result.size };
        bytesWritten += result.bytesWritten;
        finished(source);
      }
    } catch (err) {
      failure ??= err;
    }
  };
  const schedule = async (start: () => Promise<void>): Promise<void> => {
    while (tasks.size >= CONCURRENCY) await Promise.race(tasks);
    const task: Promise<void> = start().finally(() => tasks.delete(task));
    tasks.add(task);
  };
  const flush = async (mode: 'copy' | 'link'): Promise<void> => {
    const batch = pending[mode];
    if (batch.length === 0) return;
    pending[mode] = [];
    pendingBytes[mode] = 0;
    await schedule(() => ingestBatch(batch, mode === 'link'));
  };

  for (const [index, entryPath] of paths.entries()) {
    if (failure !== undefined) break;
    const source = sources.get(entryPath)!;
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('staging cancelled');
    if (source.kind === 'file') {
      const prior = done.get(source.local);
      if (prior && prior.size === source.size && prior.mtimeMs === source.mtimeMs && (await store.blobs.has(prior.digest))) {
        entries[index] = { path: entryPath, digest: prior.digest, size: prior.size };
        resumedBytes += prior.size;
      } else if (source.size >= LARGE) {
        await schedule(() => ingestLarge(index, entryPath, source));
        continue;
      } else if (batchIngest) {
        const mode = source.hardLink ? 'link' : 'copy';
        pending[mode].push({ index, entryPath, source });
        pendingBytes[mode] += source.size;
        if (pending[mode].length >= BATCH_FILES || pendingBytes[mode] >= BATCH_BYTES) await flush(mode);
        continue;
      } else {
        const result = await store.blobs.ingestFile(source.local, { maxBytesPerSecond: options.maxBytesPerSecond, signal: options.signal, hardLinkIntoStore: source.hardLink });
        entries[index] = { path: entryPath, digest: result.digest, size: result.size };
        bytesWritten += result.bytesWritten;
        partsSent += result.partsSent ?? 0;
      }
    } else if (source.kind === 'value') {
      const bytes = Buffer.from(source.json);
      const existed = await store.blobs.has(sha256(bytes));
      const digest = await store.blobs.putBytes(bytes);
      if (!existed) bytesWritten += bytes.length;
      entries[index] = { path: entryPath, digest, size: bytes.length };
    } else {
      entries[index] = await referenceEntry(entryPath, source.uri, source.checksum);
    }
    finished(source);
    if (Date.now() - lastYield > 100) {
      report();
      // Let heartbeats and cancellation through between files.
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
  }
  if (failure === undefined) {
    await flush('copy');
    await flush('link');
  }
  await Promise.all(tasks);
  if (failure !== undefined) throw failure;
  report();
  const writer = new ManifestWriter(store.blobs);
  for (const entry of entries) await writer.add(entry);
  const manifest = await writer.finish();
  return { manifest, files: entries.length, bytes: bytesTotal, bytesWritten, resumedBytes, partsSent, skipped };
}

function resolveSpec(spec: ArtifactSpec, skipped: SkippedPath[]): Map<string, Source> {
  const sources = new Map<string, Source>();
  for (const op of spec.ops) {
    switch (op.op) {
      case 'file': {
        const st = statSourceFile(op.local);
        sources.set(normalizeEntryPath(op.path), { kind: 'file', local: op.local, size: st.size, mtimeMs: st.mtimeMs, hardLink: op.hardLinkIntoStore === true });
        break;
      }
      case 'dir':
        for (const f of walkDir(op.local, skipped)) {
          sources.set(joinEntryPath(op.prefix, f.rel), { kind: 'file', local: f.local, size: f.size, mtimeMs: f.mtimeMs, hardLink: op.hardLinkIntoStore === true });
        }
        break;
      case 'ref':
        sources.set(normalizeEntryPath(op.path), { kind: 'ref', uri: op.uri, checksum: op.checksum, size: referenceSize(op.uri) });
        break;
      case 'value':
        sources.set(normalizeEntryPath(op.path), { kind: 'value', json: op.json, size: Buffer.byteLength(op.json) });
        break;
      case 'remove': {
        const target = normalizeEntryPath(op.path);
        let removed = sources.delete(target);
        for (const p of [...sources.keys()]) if (p.startsWith(`${target}/`)) removed = sources.delete(p) || removed;
        if (!removed) throw new UsageError(`remove(${JSON.stringify(op.path)}) matches no entry of the artifact; check the name against the files you added.`);
        break;
      }
    }
  }
  return sources;
}


function referenceSize(uri: string): number {
  return uri.startsWith('file://') ? statSourceFile(fileURLToPath(uri)).size : 0;
}

/** A reference's digest is the provider's checksum (for file://, the SHA-256 of the bytes) or, unchecked, of the URI. */
async function referenceEntry(entryPath: string, uri: string, checksum: boolean): Promise<ManifestEntry> {
  if (!checksum) return { path: entryPath, digest: sha256(uri), size: 0, ref: uri };
  if (!uri.startsWith('file://')) throw new UsageError(`Reference ${uri} cannot be checksummed: only file:// URIs are supported here; pass { checksum: false } to track the URI itself.`);
  const { digest, size } = await hashFile(fileURLToPath(uri));
  return { path: entryPath, digest, size, ref: uri };
}
