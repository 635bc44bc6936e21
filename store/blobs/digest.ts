import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Blake3Hasher } from '@napi-rs/blake-hash';

/**
 * Digests name their algorithm: `blake3:<hex>` for everything written now, `blake3c:<hex>` for a file stored as
 * chunks (see chunk-list.ts), `sha256:<hex>` on input. Data written before algorithms were named holds bare 64-hex
 * SHA-256 digests; they are read as SHA-256 and kept bare (their version digests and manifest chunks were computed
 * over the bare form, so rewriting them would change them). See docs/format.md.
 */
export type DigestAlgorithm = 'sha256' | 'blake3' | 'blake3c';

const BARE = /^[0-9a-f]{64}$/;
const NAMED = /^(sha256|blake3|blake3c):([0-9a-f]{64})$/;

/**
 * Files larger than this are stored as chunks of this size (the last one shorter), each a blob of its own, so a
 * new version of a large file stores only the chunks that changed. Part of the format: `blake3c` digests are
 * defined over chunks of exactly this size.
 */
export const CHUNK_BYTES = 4 << 20;

/**
 * Bytes read to be hashed are read (and hashed) this many at a time: a piece is still in the CPU's cache when it is
 * hashed. Reading whole 8 MiB blocks first, the 2 GiB hard-link log (hashing only) took 0.62–0.79 s here; in 1 MiB
 * pieces, 0.43–0.59 s in eight of nine runs, one 0.71 s (same minutes, alternating); 256 KiB pieces cost more in calls
 * than they saved.
 */
export const HASH_READ = 1 << 20;

/** Hex SHA-256 of some bytes or a string (bare, as old data spells SHA-256 digests). */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `blake3:<hex>` of some bytes or a string: the digest of new content. */
export function blake3(data: string | Uint8Array): string {
  return `blake3:${new Blake3Hasher().update(asBuffer(data)).digest('hex')}`;
}

/** A stored digest: `blake3:<hex>`, or a bare 64-hex SHA-256 digest of older data. */
export function isDigest(value: string): boolean {
  // A chunked file is no blob: its chunk list is (`blake3:` of the same hex).
  return BARE.test(value) || (NAMED.test(value) && !value.startsWith('sha256:') && !value.startsWith('blake3c:'));
}

/** The algorithm and hex of a digest in any accepted spelling; throws on anything else. */
export function parseDigest(value: string): { algorithm: DigestAlgorithm; hex: string } {
  if (BARE.test(value)) return { algorithm: 'sha256', hex: value };
  const named = NAMED.exec(value);
  if (!named) throw new Error(`not a digest: ${JSON.stringify(value)} (expected blake3:<64 hex>, sha256:<64 hex> or 64 hex)`);
  return { algorithm: named[1] as DigestAlgorithm, hex: named[2]! };
}

/** The stored spelling of a digest given in any accepted one (`sha256:<hex>` is stored bare). */
export function normalizeDigest(value: string): string {
  const { algorithm, hex } = parseDigest(value);
  return algorithm === 'sha256' ? hex : value;
}

/** How a digest is shown to people: always with its algorithm. */
export function displayDigest(digest: string): string {
  return BARE.test(digest) ? `sha256:${digest}` : digest;
}

/** An incremental hash whose result is spelled like the digests of its algorithm. */
export interface StreamHasher {
  update(data: string | Uint8Array): StreamHasher;
  /** The digest so far; more data may follow (neither algorithm's state is consumed). */
  digest(): string;
}

/**
 * A hasher in `like`'s algorithm, for checking bytes against it; without `like`, the hasher of new file content:
 * `blake3:` of the bytes up to one chunk, `blake3c:` of the chunk list beyond (see ChunkedHasher).
 */
export function hasherFor(like?: string): StreamHasher {
  return hasherOf(like === undefined ? undefined : parseDigest(like).algorithm);
}

/** A hasher of one algorithm (undefined: of new file content, see hasherFor). */
export function hasherOf(algorithm: DigestAlgorithm | undefined): StreamHasher {
  if (algorithm === 'sha256') {
    const hash = createHash('sha256');
    const hasher: StreamHasher = { update: (data) => (hash.update(data), hasher), digest: () => hash.copy().digest('hex') };
    return hasher;
  }
  if (algorithm === 'blake3') return blake3Hasher();
  return new ChunkedHasher(algorithm === undefined);
}

function blake3Hasher(): StreamHasher {
  const hash = new Blake3Hasher();
  const hasher: StreamHasher = { update: (data) => (hash.update(asBuffer(data)), hasher), digest: () => `blake3:${hash.digest('hex')}` };
  return hasher;
}

/**
 * BLAKE3 of each CHUNK_BYTES-long piece of a stream, and the `blake3c` root over them (the BLAKE3 of the chunk list,
 * see chunkListBytes). With `auto`, a stream of at most one chunk gets the plain `blake3:` of its bytes instead,
 * the digest new files are stored under.
 */
export class ChunkedHasher implements StreamHasher {
  readonly chunks: { digest: string; size: number }[] = [];
  private current = new Blake3Hasher();
  private currentSize = 0;

  constructor(private readonly auto = false) {}

  update(data: string | Uint8Array): StreamHasher {
    let bytes = typeof data === 'string' ? Buffer.from(data) : data;
    while (bytes.length > 0) {
      const take = Math.min(bytes.length, CHUNK_BYTES - this.currentSize);
      this.current.update(asBuffer(take === bytes.length ? bytes : bytes.subarray(0, take)));
      this.currentSize += take;
      bytes = bytes.subarray(take);
      if (this.currentSize === CHUNK_BYTES) {
        this.chunks.push({ digest: `blake3:${this.current.digest('hex')}`, size: CHUNK_BYTES });
        this.current = new Blake3Hasher();
        this.currentSize = 0;
      }
    }
    return this;
  }

  digest(): string {
    const all = this.currentSize > 0 || this.chunks.length === 0 ? [...this.chunks, { digest: `blake3:${this.current.digest('hex')}`, size: this.currentSize }] : this.chunks;
    if (this.auto && all.length === 1) return all[0]!.digest;
    return chunkedDigest(all);
  }
}

/**
 * The chunk list of a chunked file: one line `<hex of the chunk's BLAKE3> <length>\n` per chunk, in order. It is
 * stored as a blob of its own, under `blake3:<hex>`; the file's digest is `blake3c:<the same hex>`.
 */
export function chunkListBytes(chunks: readonly { digest: string; size: number }[]): Buffer {
  return Buffer.from(chunks.map((c) => `${parseDigest(c.digest).hex} ${c.size}\n`).join(''));
}

/** `blake3c:<BLAKE3 of the chunk list>`: the digest of a file stored as these chunks. */
export function chunkedDigest(chunks: readonly { digest: string; size: number }[]): string {
  return `blake3c:${new Blake3Hasher().update(chunkListBytes(chunks)).digest('hex')}`;
}

/** The digest of new content of `size` bytes made of these chunks: plain BLAKE3 for one chunk, else the root. */
export function contentDigest(chunks: readonly { digest: string; size: number }[]): string {
  return chunks.length === 1 ? chunks[0]!.digest : chunkedDigest(chunks);
}

/** Whether some bytes hash to `digest`, in its algorithm. */
export function bytesMatch(bytes: Uint8Array, digest: string): boolean {
  return hasherFor(digest).update(bytes).digest() === digest;
}

/**
 * The canonical version digest: a hash over the path-sorted `(path, digest, size)` list, one `path\tdigest\tsize\n`
 * line per entry. Paths cannot hold control characters, so the encoding is unambiguous. New versions use BLAKE3
 * (`blake3:<hex>`); a version whose digest is bare hex was made with SHA-256 and is re-checked with it (`like`).
 * Feed entries in path order; the result does not depend on how a manifest is chunked or stored.
 */
export class VersionDigest {
  private readonly hash: StreamHasher;
  constructor(like?: string) {
    this.hash = hasherOf(like === undefined ? 'blake3' : parseDigest(like).algorithm);
  }
  add(path: string, digest: string, size: number): void {
    this.hash.update(`${path}\t${digest}\t${size}\n`);
  }
  addLines(lines: Uint8Array): void {
    this.hash.update(lines);
  }
  digest(): string {
    return this.hash.digest();
  }
}

/** Streams a local file through the hash of new content (or of `like`'s algorithm); returns the digest and byte count. */
export async function hashFile(file: string, like?: string): Promise<{ digest: string; size: number }> {
  return hashChunks(createReadStream(file, { highWaterMark: 8 << 20 }) as AsyncIterable<Buffer>, like);
}

/** The digest (new content's algorithm, or `like`'s) and byte count of a stream of chunks. */
export async function hashChunks(chunks: AsyncIterable<Uint8Array>, like?: string): Promise<{ digest: string; size: number }> {
  const hash = hasherFor(like);
  let size = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: hash.digest(), size };
}

/** The native hasher takes Buffers: a Uint8Array is viewed as one, without a copy. */
function asBuffer(data: string | Uint8Array): string | Buffer {
  return typeof data === 'string' || Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
