import type { BlobStore } from '../blobs/blob-store';
import { IntegrityError } from '../../errors';
import { isKeptBuffer } from '../blobs/recent-blobs';

/** One file of a version: where it sits, what its bytes hash to, how large it is, and where a reference points. */
export interface ManifestEntry {
  readonly path: string;
  readonly digest: string;
  readonly size: number;
  /** For references: the URI the bytes live at; absent for files stored in the blob store. */
  readonly ref?: string;
}

export type LeafRow = [string, string, number] | [string, string, number, string];
export type NodeRow = [first: string, last: string, count: number, size: number, chunk: string];
/** A decoded chunk: a leaf holds entries, a node (at height `h` >= 1) holds one row per child chunk. */
export type Chunk = { l: LeafRow[] } | { n: NodeRow[]; h?: number };

/**
 * A leaf is stored as `leaf\n` followed by the entries' canonical lines (`path\tdigest\tsize\n`, the very lines
 * the version digest hashes), then, when some entries are references, a NUL and a JSON list of
 * `[indexInLeaf, uri]`. So the version digest streams leaf bytes into SHA-256 without parsing them, and a path
 * can never be confused with the trailer (paths hold no control characters). A node is JSON `{"h":height,"n":rows}`.
 */
const LEAF_HEADER = Buffer.from('leaf\n');
const NUL = 0;

export function encodeChunk(chunk: Chunk): Buffer {
  if (!isLeaf(chunk)) return Buffer.from(JSON.stringify(chunk));
  let text = 'leaf\n';
  const refs: [number, string][] = [];
  chunk.l.forEach((row, i) => {
    text += `${row[0]}\t${row[1]}\t${row[2]}\n`;
    if (row.length === 4) refs.push([i, row[3]]);
  });
  if (refs.length > 0) text += `\u0000${JSON.stringify(refs)}`;
  return Buffer.from(text);
}

/**
 * Chunks decoded from buffers that recent blobs keep (`blobs/recent-blobs.ts` serves the same buffer again, batch
 * after batch of a draft merge), by that buffer: such a chunk is decoded once, and goes with its buffer. Decoded
 * chunks are therefore shared: nothing changes one in place (edits build new rows). Other buffers are decoded each
 * time, so streaming a big tree keeps nothing.
 */
const decoded = new WeakMap<Buffer, Chunk>();

export function decodeChunk(bytes: Buffer): Chunk {
  if (!isKeptBuffer(bytes)) return decodeBytes(bytes);
  let chunk = decoded.get(bytes);
  if (!chunk) decoded.set(bytes, (chunk = decodeBytes(bytes)));
  return chunk;
}

function decodeBytes(bytes: Buffer): Chunk {
  if (bytes[0] === 0x7b) return JSON.parse(bytes.toString('utf8')) as Chunk;
  return { l: parseLeaf(bytes, (path, digest, size, ref): LeafRow => (ref === undefined ? [path, digest, size] : [path, digest, size, ref])) };
}

/**
 * A chunk as a caller that goes through every entry of a version (a download) wants it: a leaf's entries as
 * objects made straight from its lines (no row array each), or a node's rows. Not kept with recent blobs' chunks.
 */
export function entriesOrNodes(bytes: Buffer): { readonly entries: ManifestEntry[] } | { readonly nodes: NodeRow[] } {
  if (bytes[0] !== 0x7b) return { entries: parseLeaf(bytes, (path, digest, size, ref): ManifestEntry => (ref === undefined ? { path, digest, size } : { path, digest, size, ref })) };
  const chunk = decodeBytes(bytes);
  return isLeaf(chunk) ? { entries: chunk.l.map(entryOf) } : { nodes: chunk.n };
}

/** One canonical line of a leaf (`path\tdigest\tsize`, without its newline) as a row; a line that is not one is a damaged chunk. */
export function rowOfLine(line: string): LeafRow {
  return parseLines(`${line}\n`, undefined, (path, digest, size): LeafRow => [path, digest, size])[0]!;
}

/** A leaf's rows, each made by `make` from its path, digest, size and (for a reference) URI. */
function parseLeaf<T>(bytes: Buffer, make: (path: string, digest: string, size: number, ref: string | undefined) => T): T[] {
  if (!bytes.subarray(0, LEAF_HEADER.length).equals(LEAF_HEADER)) throw new Error('not a manifest chunk (unknown header)');
  const nul = bytes.indexOf(NUL);
  const refs = nul < 0 ? undefined : new Map(JSON.parse(bytes.toString('utf8', nul + 1)) as [number, string][]);
  return parseLines(bytes.toString('utf8', LEAF_HEADER.length, nul < 0 ? bytes.length : nul), refs, make);
}

/** Canonical lines (each ending in a newline) as rows made by `make`; `refs`: the URI of each reference, by its row. */
function parseLines<T>(body: string, refs: ReadonlyMap<number, string> | undefined, make: (path: string, digest: string, size: number, ref: string | undefined) => T): T[] {
  const rows: T[] = [];
  let start = 0;
  while (start < body.length) {
    const end = body.indexOf('\n', start);
    const t1 = body.indexOf('\t', start);
    const t2 = body.indexOf('\t', t1 + 1);
    // A row is `path\tdigest\tsize\n`; anything else is a damaged chunk, never a reason to loop.
    if (end < 0 || t1 < 0 || t2 < 0 || t2 > end) throw new IntegrityError(`A manifest chunk is damaged (row at byte ${start} is not "path<TAB>digest<TAB>size"); verify the versions that use it and re-log them.`);
    rows.push(make(body.slice(start, t1), body.slice(t1 + 1, t2), Number(body.slice(t2 + 1, end)), refs?.get(rows.length)));
    start = end + 1;
  }
  return rows;
}

/** The canonical lines a leaf holds (the bytes the version digest hashes), or undefined for a node or an old JSON leaf. */
export function leafLines(bytes: Buffer): Buffer | undefined {
  if (bytes[0] === 0x7b) return undefined;
  const nul = bytes.indexOf(NUL);
  return bytes.subarray(LEAF_HEADER.length, nul < 0 ? bytes.length : nul);
}

/** Reads one chunk of a manifest tree. */
export async function readChunk(blobs: BlobStore, digest: string): Promise<Chunk> {
  return decodeChunk(await blobs.getBytes(digest));
}

export function isLeaf(chunk: Chunk): chunk is { l: LeafRow[] } {
  return 'l' in chunk;
}

export function entryOf(row: LeafRow): ManifestEntry {
  return row.length === 4 ? { path: row[0], digest: row[1], size: row[2], ref: row[3] } : { path: row[0], digest: row[1], size: row[2] };
}

export function rowOf(entry: ManifestEntry): LeafRow {
  return entry.ref === undefined ? [entry.path, entry.digest, entry.size] : [entry.path, entry.digest, entry.size, entry.ref];
}

/** The key a row is ordered and chunked by: a leaf row's path, a node row's last path. */
export function keyOf(row: LeafRow | NodeRow, level: number): string {
  return level === 0 ? row[0] : (row as NodeRow)[1];
}
