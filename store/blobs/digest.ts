import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Hex SHA-256 of some bytes or a string. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A digest is 64 lowercase hex characters (SHA-256). */
export function isDigest(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

/**
 * The canonical version digest: SHA-256 over the path-sorted `(path, digest, size)` list, one
 * `path\tdigest\tsize\n` line per entry. Paths cannot hold control characters, so the encoding is unambiguous.
 * Feed entries in path order; the result does not depend on how a manifest is chunked or stored.
 */
export class VersionDigest {
  private readonly hash = createHash('sha256');
  add(path: string, digest: string, size: number): void {
    this.hash.update(`${path}\t${digest}\t${size}\n`);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Streams a local file through SHA-256; returns the digest and the byte count. */
export async function hashFile(file: string): Promise<{ digest: string; size: number }> {
  return hashChunks(createReadStream(file, { highWaterMark: 8 << 20 }) as AsyncIterable<Buffer>);
}

/** SHA-256 and byte count of a stream of chunks. */
export async function hashChunks(chunks: AsyncIterable<Uint8Array>): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: hash.digest('hex'), size };
}
