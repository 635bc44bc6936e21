import type { BlobStore } from '../blobs/blob-store';
import { ManifestWriter, readManifest, type ManifestEntry, type ManifestRef } from '../manifest/manifest';
import { ChunkReader } from '../manifest/manifest-cursor';
import { firstUnder, lookupPaths } from '../manifest/manifest-lookup';
import { comparePaths, foldersOf } from '../paths';

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
  | ConflictOutcome;

/**
 * A refused contribution: its entry at `path` holds other bytes than the draft's (`otherWriter` put them there), or
 * clashes with the draft's `otherPath`: one is a file and the other lies inside a folder of that name.
 */
export interface ConflictOutcome {
  readonly writer: string;
  readonly status: 'conflict';
  readonly path: string;
  readonly digest: string;
  readonly otherWriter: string;
  readonly otherDigest: string;
  readonly otherPath?: string;
}

export interface MergeResult {
  readonly index: DraftIndex;
  /** One per contribution, in the order given. */
  readonly outcomes: readonly ContributionOutcome[];
  /** Writers merged for the first time by this call. */
  readonly newWriters: number;
}

/**
 * Merges contributions into a draft, in order. A contribution is all or nothing: if any of its paths holds
 * different bytes in the draft (or in an earlier contribution of the batch), or would make a file and a folder of
 * the same name, it is refused, naming the writer that got there first. A contribution already merged (same writer, same content) is a duplicate and changes
 * nothing, so retries are idempotent. With `dryRun` nothing is written (used to test a late finish against a
 * committed version).
 */
export async function mergeContributions(blobs: BlobStore, index: DraftIndex, contributions: readonly Contribution[], options: { dryRun?: boolean } = {}): Promise<MergeResult> {
  const known = await readWriterKeys(blobs, index.writers);
  const incoming = await readIncoming(blobs, contributions, known);
  const existing = index.files ? await lookupPaths(blobs, index.files.root, sortedPathsOf(incoming)) : new Map<string, ManifestEntry>();
  const batch = new MergeBatch(blobs, index, existing);
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

/** The incoming paths and the folders they lie in (a file of the draft at one of those would clash), sorted. */
function sortedPathsOf(incoming: ReadonlyMap<string, readonly ManifestEntry[]>): string[] {
  const paths = new Set<string>();
  for (const entries of incoming.values()) {
    for (const e of entries) for (const p of [e.path, ...foldersOf(e.path)]) paths.add(p);
  }
  return [...paths].sort(comparePaths);
}

type Accepted = { readonly entry: ManifestEntry; readonly writer: string };

/** The contributions of one merge, judged in order against the draft and against those accepted before them. */
class MergeBatch {
  readonly accepted = new Map<string, Accepted>();
  readonly acceptedKeys: Contribution[] = [];
  /** One accepted entry inside each folder the batch brought, to name when a file arrives at that folder's name. */
  private readonly acceptedFolders = new Map<string, Accepted>();
  private readonly reader: ChunkReader;

  constructor(private readonly blobs: BlobStore, private readonly index: DraftIndex, private readonly existing: ReadonlyMap<string, ManifestEntry>) {
    this.reader = new ChunkReader(blobs);
  }

  /** Accepts a contribution whole, or refuses it whole at its first path that holds other bytes or clashes. */
  async judge(c: Contribution, entries: readonly ManifestEntry[] | undefined): Promise<ContributionOutcome> {
    if (!entries || this.acceptedKeys.some((a) => keyOf(a) === keyOf(c))) return { writer: c.writer, status: 'duplicate' };
    for (const e of entries) {
      const conflict = await this.conflictAt(c, e);
      if (conflict) return conflict;
    }
    let added = 0;
    for (const entry of entries) {
      if (this.existing.has(entry.path) || this.accepted.has(entry.path)) continue;
      added++;
      this.accepted.set(entry.path, { entry, writer: c.writer });
      for (const folder of foldersOf(entry.path)) if (!this.acceptedFolders.has(folder)) this.acceptedFolders.set(folder, { entry, writer: c.writer });
    }
    this.acceptedKeys.push(c);
    return { writer: c.writer, status: 'merged', added };
  }

  /**
   * Other bytes at `e`'s path, or a file/folder clash: a file (of the draft or the batch) at one of its folders, or
   * entries inside it. The draft's files at those paths were looked up beforehand; entries inside are looked for.
   */
  private async conflictAt(c: Contribution, e: ManifestEntry): Promise<ConflictOutcome | undefined> {
    const refuse = (other: ManifestEntry, otherWriter: string): ConflictOutcome => ({
      writer: c.writer, status: 'conflict', path: e.path, digest: e.digest, otherWriter, otherDigest: other.digest, ...(other.path !== e.path ? { otherPath: other.path } : {}),
    });
    for (const path of [e.path, ...foldersOf(e.path)]) {
      const before = this.existing.get(path);
      if (before && (path !== e.path || before.digest !== e.digest)) return refuse(before, await ownerOf(this.blobs, this.index.writers, path, before.digest));
      const batch = this.accepted.get(path);
      if (batch && (path !== e.path || batch.entry.digest !== e.digest)) return refuse(batch.entry, batch.writer);
    }
    const inside = this.acceptedFolders.get(e.path);
    if (inside) return refuse(inside.entry, inside.writer);
    const files = this.index.files;
    const under = files ? await firstUnder(this.reader, files.root, e.path) : undefined;
    if (!files || under === undefined) return undefined;
    const other = (await lookupPaths(this.blobs, files.root, [under])).get(under)!;
    return refuse(other, await ownerOf(this.blobs, this.index.writers, under, other.digest));
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
