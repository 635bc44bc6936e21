import type { BlobStore } from './blob-store';

/** Every buffer a RecentBlobs holds, or held: it may be served again, so what is derived from it may be kept. */
const servedAgain = new WeakSet<Buffer>();

/** Whether `bytes` is a buffer a RecentBlobs keeps (and serves again for the same digest). */
export function isKeptBuffer(bytes: Buffer): boolean {
  return servedAgain.has(bytes);
}

/**
 * The bytes of small blobs read or written lately, least recently used dropped first once their total passes
 * `maxBytes`. Blobs are named by their content, so a cached copy is the blob: it never goes stale.
 */
export class RecentBlobs {
  private readonly held = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number, private readonly maxBlobBytes = 1 << 20) {}

  get(digest: string): Buffer | undefined {
    const b = this.held.get(digest);
    if (b === undefined) return undefined;
    // Re-inserted so the Map's order stays least recently used first.
    this.held.delete(digest);
    this.held.set(digest, b);
    return b;
  }

  set(digest: string, bytes: Buffer): void {
    if (bytes.length > this.maxBlobBytes || this.held.has(digest)) return;
    this.held.set(digest, bytes);
    servedAgain.add(bytes);
    this.bytes += bytes.length;
    for (const [oldest, b] of this.held) {
      if (this.bytes <= this.maxBytes) break;
      this.held.delete(oldest);
      this.bytes -= b.length;
    }
  }

  /** Bytes held now (never more than maxBytes once a set returns). */
  get heldBytes(): number {
    return this.bytes;
  }
}

/**
 * `blobs` with `recent` in front of its small reads and writes: what is written is kept, and what is read is served
 * from there when it is held. For work that reads back what it just wrote, such as a draft merging batch after
 * batch into the same few manifest chunks. Everything else goes to `blobs` as it is.
 */
export function withRecentBlobs(blobs: BlobStore, recent: RecentBlobs): BlobStore {
  const getBytes = async (digest: string): Promise<Buffer> => {
    const held = recent.get(digest);
    if (held) return held;
    const bytes = await blobs.getBytes(digest);
    recent.set(digest, bytes);
    return bytes;
  };
  const putBytes = async (bytes: Uint8Array): Promise<string> => {
    const digest = await blobs.putBytes(bytes);
    // A copy: the caller may reuse its buffer; what is held must stay the blob's bytes. Not from Node's shared
    // pool, where a small copy would keep its whole 8 KiB slab alive for as long as it is held.
    const copy = Buffer.allocUnsafeSlow(bytes.length);
    copy.set(bytes);
    recent.set(digest, copy);
    return digest;
  };
  return new Proxy(blobs, {
    get(target, key) {
      if (key === 'getBytes') return getBytes;
      if (key === 'putBytes') return putBytes;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
