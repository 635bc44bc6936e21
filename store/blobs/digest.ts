import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Blake3Hasher } from '@napi-rs/blake-hash';

/**
 * Digests name their algorithm: `blake3:<hex>` for everything written now, `sha256:<hex>` on input. Data written
 * before algorithms were named holds bare 64-hex SHA-256 digests; they are read as SHA-256 and kept bare (their
 * version digests and manifest chunks were computed over the bare form, so rewriting them would change them).
 * See docs/format.md.
 */
export type DigestAlgorithm = 'sha256' | 'blake3';

const BARE = /^[0-9a-f]{64}$/;
const NAMED = /^(sha256|blake3):([0-9a-f]{64})$/;

/** Hex SHA-256 of some bytes or a string (bare, as old data spells SHA-256 digests). */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `blake3:<hex>` of some bytes or a string: the digest of new content. */
export function blake3(data: string | Uint8Array): string {
  return `blake3:${new Blake3Hasher().update(data).digest('hex')}`;
}

/** A stored digest: `blake3:<hex>`, or a bare 64-hex SHA-256 digest of older data. */
export function isDigest(value: string): boolean {
  return BARE.test(value) || (NAMED.test(value) && !value.startsWith('sha256:'));
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

/** A hasher for new content (BLAKE3), or for checking bytes against `like` in that digest's own algorithm. */
export function hasherFor(like?: string): StreamHasher {
  const algorithm = like === undefined ? 'blake3' : parseDigest(like).algorithm;
  if (algorithm === 'sha256') {
    const hash = createHash('sha256');
    const hasher: StreamHasher = { update: (data) => (hash.update(data), hasher), digest: () => hash.copy().digest('hex') };
    return hasher;
  }
  const hash = new Blake3Hasher();
  const hasher: StreamHasher = { update: (data) => (hash.update(data), hasher), digest: () => `blake3:${hash.digest('hex')}` };
  return hasher;
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
    this.hash = hasherFor(like);
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
