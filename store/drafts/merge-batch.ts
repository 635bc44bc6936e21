import type { BlobStore } from '../blobs/blob-store';
import { readManifest, type ManifestEntry, type ManifestTree } from '../manifest/manifest';
import { ChunkReader } from '../manifest/manifest-cursor';
import { firstUnder, lookupPaths } from '../manifest/manifest-lookup';
import { comparePaths, foldersOf } from '../paths';
import type { ConflictOutcome, Contribution, ContributionOutcome, DraftIndex } from './merge-types';

type Accepted = { readonly entry: ManifestEntry; readonly writer: string };

/**
 * Contributions judged in order against a draft's files and against those accepted before them in the same batch.
 * A draft's files are two trees with no path in both (the folded `files` and the `pending` entries not yet folded
 * in), and both are consulted. Only what the incoming paths touch is read from them: the entries at those paths and
 * at their folders (looked up beforehand, `lookUp`) and, per incoming path, the first entry inside it (a descent).
 */
export class MergeBatch {
  readonly accepted = new Map<string, Accepted>();
  readonly acceptedKeys: Contribution[] = [];
  /** One accepted entry inside each folder the batch brought, to name when a file arrives at that folder's name. */
  private readonly acceptedFolders = new Map<string, Accepted>();
  private readonly reader: ChunkReader;
  private existing = new Map<string, ManifestEntry>();
  /** The draft's trees of files: the folded one and the pending one, those that exist. */
  private readonly trees: readonly ManifestTree[];
  private readonly writers: ManifestTree | null;

  constructor(private readonly blobs: BlobStore, index: DraftIndex) {
    this.reader = new ChunkReader(blobs);
    this.trees = [index.files, index.pending ?? null].filter((t): t is ManifestTree => t !== null);
    this.writers = index.writers;
  }

  /** Reads the draft's entries at `entries`' paths and at their folders, in one walk of the touched chunks per tree. */
  async lookUp(entries: Iterable<ManifestEntry>): Promise<void> {
    if (this.trees.length === 0) return;
    const paths = new Set<string>();
    for (const e of entries) for (const p of [e.path, ...foldersOf(e.path)]) paths.add(p);
    const sorted = [...paths].sort(comparePaths);
    this.existing = new Map();
    for (const tree of this.trees) for (const [path, e] of await lookupPaths(this.blobs, tree.root, sorted)) this.existing.set(path, e);
  }

  /** Accepts a contribution whole, or refuses it whole at its first path that holds other bytes or clashes. */
  async judge(c: Contribution, entries: readonly ManifestEntry[]): Promise<ContributionOutcome> {
    const conflict = await this.conflictIn(c, entries);
    if (conflict) return conflict;
    let added = 0;
    for (const entry of this.newEntries(entries)) {
      added++;
      this.accepted.set(entry.path, { entry, writer: c.writer });
      for (const folder of foldersOf(entry.path)) if (!this.acceptedFolders.has(folder)) this.acceptedFolders.set(folder, { entry, writer: c.writer });
    }
    this.acceptedKeys.push(c);
    return { writer: c.writer, status: 'merged', added };
  }

  /** The first of `entries` that conflicts with the draft or the batch (entries looked up with lookUp first). */
  async conflictIn(c: Contribution, entries: readonly ManifestEntry[]): Promise<ConflictOutcome | undefined> {
    for (const e of entries) {
      const conflict = await this.conflictAt(c, e);
      if (conflict) return conflict;
    }
    return undefined;
  }

  /** The entries that neither the draft nor the batch holds yet (what merging them adds). */
  newEntries(entries: readonly ManifestEntry[]): ManifestEntry[] {
    return entries.filter((e) => !this.existing.has(e.path) && !this.accepted.has(e.path));
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
      if (before && (path !== e.path || before.digest !== e.digest)) return refuse(before, await ownerOf(this.blobs, this.writers, path, before.digest));
      const batch = this.accepted.get(path);
      if (batch && (path !== e.path || batch.entry.digest !== e.digest)) return refuse(batch.entry, batch.writer);
    }
    const inside = this.acceptedFolders.get(e.path);
    if (inside) return refuse(inside.entry, inside.writer);
    const other = await this.firstInside(e.path);
    return other && refuse(other, await ownerOf(this.blobs, this.writers, other.path, other.digest));
  }

  /** The draft's first entry inside the folder `folder`, over both trees (so the answer never depends on folding). */
  private async firstInside(folder: string): Promise<ManifestEntry | undefined> {
    let first: { path: string; tree: ManifestTree } | undefined;
    for (const tree of this.trees) {
      const under = await firstUnder(this.reader, tree.root, folder);
      if (under !== undefined && (!first || comparePaths(under, first.path) < 0)) first = { path: under, tree };
    }
    return first && (await lookupPaths(this.blobs, first.tree.root, [first.path])).get(first.path);
  }
}

// Writer ids are free text; encoded, they hold no tab, newline, NUL or slash, so they fit a manifest leaf.
export function contributionKey(c: Contribution): string {
  return `${encodeURIComponent(c.writer)}/${c.manifest.digest}`;
}

export function writerOf(key: string): string {
  return decodeURIComponent(key.slice(0, key.lastIndexOf('/')));
}

/**
 * The writer whose contribution put `digest` at `path`. Only asked once a conflict is found, so it may scan the
 * writers tree (one lookup per contribution until the first hit).
 */
async function ownerOf(blobs: BlobStore, writers: ManifestTree | null, path: string, digest: string): Promise<string> {
  if (writers) {
    for await (const w of readManifest(blobs, writers.root)) {
      const hit = (await lookupPaths(blobs, w.digest, [path])).get(path);
      if (hit && hit.digest === digest) return writerOf(w.path);
    }
  }
  return 'an earlier writer';
}
