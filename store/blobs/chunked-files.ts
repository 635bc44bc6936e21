import { IntegrityError } from '../../errors';
import { bytesMatch, hashChunks, parseDigest } from './digest';

/** One chunk of a chunked file: its blob, its length and where it starts in the file. */
export interface ChunkRef {
  readonly digest: string;
  readonly size: number;
  readonly offset: number;
}

/** A chunk that does not hold its bytes: which one, where in the file, and what it hashed to (`missing`: gone). */
export interface DamagedChunk extends ChunkRef {
  readonly index: number;
  readonly actual: string;
}

/** What the chunked-file reads need of a store: its plain blobs. */
export interface PlainBlobs {
  readonly location: string;
  getBytes(digest: string): Promise<Buffer>;
  read(digest: string): AsyncIterable<Buffer>;
  has(digest: string): Promise<boolean>;
  setAsideDamaged(digest: string): Promise<void>;
}

export function isChunked(digest: string): boolean {
  return digest.startsWith('blake3c:');
}

/** The blob holding a chunked file's chunk list: `blake3:` of the same hex (the root is the BLAKE3 of the list). */
export function listBlobOf(digest: string): string {
  return `blake3:${parseDigest(digest).hex}`;
}

/** Reads and checks a chunked file's chunk list (it must hash to the file's digest). */
export async function chunksOf(blobs: PlainBlobs, digest: string): Promise<ChunkRef[]> {
  const list = await blobs.getBytes(listBlobOf(digest));
  if (!bytesMatch(list, listBlobOf(digest))) {
    throw new IntegrityError(`The chunk list of ${digest} in ${blobs.location} is damaged. Run \`artifacts verify\` on the versions that hold it and re-log the file.`);
  }
  const chunks: ChunkRef[] = [];
  let offset = 0;
  for (const line of list.toString('latin1').split('\n')) {
    if (line === '') continue;
    const [hex, size] = line.split(' ');
    chunks.push({ digest: `blake3:${hex}`, size: Number(size), offset });
    offset += Number(size);
  }
  return chunks;
}

/** Chunks fetched ahead from a remote store while earlier ones are served (each a round trip). */
export const REMOTE_WINDOW = 8;

/**
 * A chunked file's bytes, chunk after chunk, unchecked (a reader hashes them against the file's digest). From a
 * remote store (one with `prefetch`) several chunks are fetched at once, in order.
 */
export async function* readChunked(blobs: PlainBlobs & { readonly prefetch?: number | undefined }, digest: string): AsyncIterable<Buffer> {
  const chunks = await chunksOf(blobs, digest);
  if (!blobs.prefetch) {
    for (const chunk of chunks) yield* blobs.read(chunk.digest);
    return;
  }
  const inFlight: Promise<Buffer>[] = [];
  let next = 0;
  const fetchNext = (): void => {
    const fetching = concatAll(blobs.read(chunks[next++]!.digest));
    fetching.catch(() => undefined); // awaited in order below
    inFlight.push(fetching);
  };
  while (next < chunks.length && inFlight.length < REMOTE_WINDOW) fetchNext();
  while (inFlight.length > 0) {
    const bytes = await inFlight.shift()!;
    if (next < chunks.length) fetchNext();
    yield bytes;
  }
}

/** Whether the chunk list and every chunk are stored. */
export async function hasChunked(blobs: PlainBlobs, digest: string): Promise<boolean> {
  if (!(await blobs.has(listBlobOf(digest)))) return false;
  const chunks = await chunksOf(blobs, digest);
  return (await Promise.all(chunks.map((c) => blobs.has(c.digest)))).every(Boolean);
}

/** Every chunk of a chunked file that is missing or does not hash to its digest (each re-hashed, in order). */
export async function damagedChunks(blobs: PlainBlobs, digest: string): Promise<DamagedChunk[]> {
  const damaged: DamagedChunk[] = [];
  const chunks = await chunksOf(blobs, digest);
  for (const [index, chunk] of chunks.entries()) {
    let actual: string;
    try {
      actual = (await hashChunks(blobs.read(chunk.digest), chunk.digest)).digest;
    } catch {
      actual = 'missing';
    }
    if (actual !== chunk.digest) damaged.push({ ...chunk, index, actual });
  }
  return damaged;
}

/** Sets aside each chunk of a chunked file that does not hash right (or its chunk list, when that is the damage). */
export async function setAsideDamagedChunks(blobs: PlainBlobs, digest: string): Promise<void> {
  let damaged: DamagedChunk[];
  try {
    damaged = await damagedChunks(blobs, digest);
  } catch (err) {
    if (err instanceof IntegrityError && (await blobs.has(listBlobOf(digest)))) await blobs.setAsideDamaged(listBlobOf(digest));
    return;
  }
  for (const chunk of damaged) if (chunk.actual !== 'missing') await blobs.setAsideDamaged(chunk.digest);
}

export async function concatAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
