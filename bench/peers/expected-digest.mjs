// The digest ours must record for a file, computed here from the bytes alone, as docs/format.md defines it (not with
// the store's own code, so the bench checks the store): a file of at most one 4 MiB chunk is `blake3:<BLAKE3 of its
// bytes>`; a larger one is `blake3c:<BLAKE3 of L>`, L listing each chunk's "<BLAKE3 hex> <length>\n" in order.
import { Blake3Hasher } from '@napi-rs/blake-hash';

export const CHUNK = 4 << 20;

const hex = (bytes) => new Blake3Hasher().update(bytes).digest('hex');

/** Fed the file's bytes in order (any piece sizes), returns the digest ours records for the file. */
export class ExpectedDigest {
  #lines = [];
  #chunk = new Blake3Hasher();
  #inChunk = 0;

  update(bytes) {
    let rest = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    while (rest.length > 0) {
      const take = Math.min(rest.length, CHUNK - this.#inChunk);
      this.#chunk.update(rest.subarray(0, take));
      this.#inChunk += take;
      rest = rest.subarray(take);
      if (this.#inChunk === CHUNK) this.#endChunk();
    }
    return this;
  }

  digest() {
    if (this.#inChunk > 0 || this.#lines.length === 0) this.#endChunk();
    if (this.#lines.length === 1) return `blake3:${this.#lines[0].split(' ')[0]}`;
    return `blake3c:${hex(Buffer.from(this.#lines.join(''), 'latin1'))}`;
  }

  #endChunk() {
    this.#lines.push(`${this.#chunk.digest('hex')} ${this.#inChunk}\n`);
    this.#chunk = new Blake3Hasher();
    this.#inChunk = 0;
  }
}

export function expectedDigest(bytes) {
  return new ExpectedDigest().update(bytes).digest();
}
