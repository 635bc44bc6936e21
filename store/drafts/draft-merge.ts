import type { BlobStore } from '../blobs/blob-store';
import { isLeaf, ManifestWriter, readChunk, readManifest, entryOf, type ManifestEntry, type ManifestRef } from '../manifest/manifest';
import { comparePaths } from '../paths';

/** One writer's part of a collaborative draft: the manifest its staging wrote (a reference, never the file list). */
export interface Contribution {
  readonly writer: string;
  readonly manifest: ManifestRef;
}

/**
 * What a draft holds, as two manifest trees in the blob store: `files` is the merged manifest (it becomes the
 * version as is), `writers` has one entry per accepted contribution, keyed `<URI-encoded writer>/<contribution digest>`,
 * whose digest field is the contribution's manifest root. Both are null while the draft is empty.
 */
export interface DraftIndex {
  readonly files: ManifestRef | null;
  readonly writers: ManifestRef | null;
}

export type ContributionOutcome =
  | { readonly writer: string; readonly status: 'merged'; readonly added: number }
  | { readonly writer: string; readonly status: 'duplicate' }
  | { readonly writer: string; readonly status: 'conflict'; readonly path: string; readonly digest: string; readonly otherWriter: string; readonly otherDigest: string };

export interface MergeResult {
  readonly index: DraftIndex;
  /** One per contribution, in the order given. */
  readonly outcomes: readonly ContributionOutcome[];
  /** Writers merged for the first time by this call. */
  readonly newWriters: number;
}

/**
 * Merges contributions into a draft, in order. A contribution is all or nothing: if any of its paths holds
 * different bytes in the draft (or in an earlier contribution of the batch), it is refused, naming the writer
 * that got there first. A contribution already merged (same writer, same content) is a duplicate and changes
 * nothing, so retries are idempotent. With `dryRun` nothing is written (used to test a late finish against a
 * committed version).
 */
export async function mergeContributions(blobs: BlobStore, index: DraftIndex, contributions: readonly Contribution[], options: { dryRun?: boolean } = {}): Promise<MergeResult> {
  const known = await readWriterKeys(blobs, index.writers);
  const incoming = await readIncoming(blobs, contributions, known);
  const existing = index.files ? await lookupPaths(blobs, index.files.root, sortedPathsOf(incoming)) : new Map<string, ManifestEntry>();
  const batch = new MergeBatch(blobs, index.writers, existing);
  const outcomes: ContributionOutcome[] = [];
  for (const c of contributions) outcomes.push(await batch.judge(c, incoming.get(keyOf(c))));
  const knownWriters = new Set([...known].map(writerOf));
  const newWriters = new Set(batch.acceptedKeys.map((c) => c.writer).filter((w) => !knownWriters.has(w))).size;
  if (options.dryRun || batch.acceptedKeys.length === 0) return { index, outcomes, newWriters: options.dryRun ? 0 : newWriters };

  const files = await mergeSorted(blobs, index.files, [...batch.accepted.values()].map((a) => a.entry));
  const writerRows = batch.acceptedKeys.map((c) => ({ path: keyOf(c), digest: c.manifest.root, size: c.manifest.count }));
  const writers = await mergeSorted(blobs, index.writers, writerRows);
  return { index: { files, writers }, outcomes, newWriters };
}

/** The keys (`<writer>/<contribution digest>`) of every contribution the draft has already merged. */
async function readWriterKeys(blobs: BlobStore, writers: ManifestRef | null): Promise<Set<string>> {
  const known = new Set<string>();
  if (writers) for await (const w of readManifest(blobs, writers.root)) known.add(w.path);
  return known;
}

/** The entries of each contribution not merged before, keyed by contribution; a repeat in the batch is read once. */
async function readIncoming(blobs: BlobStore, contributions: readonly Contribution[], known: ReadonlySet<string>): Promise<Map<string, ManifestEntry[]>> {
  const incoming = new Map<string, ManifestEntry[]>();
  for (const c of contributions) {
    if (known.has(keyOf(c)) || incoming.has(keyOf(c))) continue;
    const entries: ManifestEntry[] = [];
    for await (const e of readManifest(blobs, c.manifest.root)) entries.push(e);
    incoming.set(keyOf(c), entries);
  }
  return incoming;
}

function sortedPathsOf(incoming: ReadonlyMap<string, readonly ManifestEntry[]>): string[] {
  const paths = new Set<string>();
  for (const entries of incoming.values()) for (const e of entries) paths.add(e.path);
  return [...paths].sort(comparePaths);
}

/** The contributions of one merge, judged in order against the draft and against those accepted before them. */
class MergeBatch {
  readonly accepted = new Map<string, { entry: ManifestEntry; writer: string }>();
  readonly acceptedKeys: Contribution[] = [];

  constructor(private readonly blobs: BlobStore, private readonly writers: ManifestRef | null, private readonly existing: ReadonlyMap<string, ManifestEntry>) {}

  /** Accepts a contribution whole, or refuses it whole at its first path that holds other bytes. */
  async judge(c: Contribution, entries: readonly ManifestEntry[] | undefined): Promise<ContributionOutcome> {
    if (!entries || this.acceptedKeys.some((a) => keyOf(a) === keyOf(c))) return { writer: c.writer, status: 'duplicate' };
    let added = 0;
    for (const e of entries) {
      const conflict = await this.conflictAt(c, e);
      if (conflict) return conflict;
      if (!this.existing.has(e.path) && !this.accepted.has(e.path)) added++;
    }
    for (const e of entries) if (!this.existing.has(e.path) && !this.accepted.has(e.path)) this.accepted.set(e.path, { entry: e, writer: c.writer });
    this.acceptedKeys.push(c);
    return { writer: c.writer, status: 'merged', added };
  }

  private async conflictAt(c: Contribution, e: ManifestEntry): Promise<ContributionOutcome | undefined> {
    const before = this.existing.get(e.path);
    if (before && before.digest !== e.digest) {
      const otherWriter = await ownerOf(this.blobs, this.writers, e.path, before.digest);
      return { writer: c.writer, status: 'conflict', path: e.path, digest: e.digest, otherWriter, otherDigest: before.digest };
    }
    const batch = this.accepted.get(e.path);
    if (batch && batch.entry.digest !== e.digest) {
      return { writer: c.writer, status: 'conflict', path: e.path, digest: e.digest, otherWriter: batch.writer, otherDigest: batch.entry.digest };
    }
    return undefined;
  }
}

/** How many contributions a writers tree holds, and the distinct writers among them. */
export async function countWriters(blobs: BlobStore, writers: ManifestRef | null): Promise<{ contributions: number; writers: string[] }> {
  const names = new Set<string>();
  let contributions = 0;
  if (writers) {
    for await (const w of readManifest(blobs, writers.root)) {
      contributions++;
      names.add(writerOf(w.path));
    }
  }
  return { contributions, writers: [...names] };
}

// Writer ids are free text; encoded, they hold no tab, newline, NUL or slash, so they fit a manifest leaf.
function keyOf(c: Contribution): string {
  return `${encodeURIComponent(c.writer)}/${c.manifest.digest}`;
}

function writerOf(key: string): string {
  return decodeURIComponent(key.slice(0, key.lastIndexOf('/')));
}

/** Rewrites a manifest with `added` merged in (paths not already present), streaming the old one. */
async function mergeSorted(blobs: BlobStore, base: ManifestRef | null, added: ManifestEntry[]): Promise<ManifestRef> {
  added.sort((a, b) => comparePaths(a.path, b.path));
  const writer = new ManifestWriter(blobs);
  let i = 0;
  if (base) {
    for await (const e of readManifest(blobs, base.root)) {
      while (i < added.length && comparePaths(added[i]!.path, e.path) < 0) await writer.add(added[i++]!);
      if (i < added.length && added[i]!.path === e.path) i++;
      await writer.add(e);
    }
  }
  while (i < added.length) await writer.add(added[i++]!);
  return writer.finish();
}

/** Finds the entries at `paths` (sorted), reading only the chunks whose path range can hold one of them. */
export async function lookupPaths(blobs: BlobStore, root: string, paths: readonly string[]): Promise<Map<string, ManifestEntry>> {
  const found = new Map<string, ManifestEntry>();
  const visit = async (digest: string, wanted: readonly string[]): Promise<void> => {
    if (wanted.length === 0) return;
    const chunk = await readChunk(blobs, digest);
    if (isLeaf(chunk)) {
      const set = new Set(wanted);
      for (const row of chunk.l) if (set.has(row[0])) found.set(row[0], entryOf(row));
      return;
    }
    for (const [first, last, , , child] of chunk.n) {
      await visit(child, wanted.filter((p) => comparePaths(p, first) >= 0 && comparePaths(p, last) <= 0));
    }
  };
  await visit(root, paths);
  return found;
}

/** The writer whose contribution put `digest` at `path`; only asked when a conflict is found, so a scan is fine. */
async function ownerOf(blobs: BlobStore, writers: ManifestRef | null, path: string, digest: string): Promise<string> {
  if (writers) {
    for await (const w of readManifest(blobs, writers.root)) {
      const hit = (await lookupPaths(blobs, w.digest, [path])).get(path);
      if (hit && hit.digest === digest) return writerOf(w.path);
    }
  }
  return 'an earlier writer';
}
