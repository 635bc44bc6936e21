/**
 * A small, slow BLAKE3 (hash mode, 32-byte output) written from the specification, so tests can check the store's
 * digests against a computation that shares no code with it (the store uses the native `@napi-rs/blake-hash`).
 */
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];
const CHUNK_START = 1;
const CHUNK_END = 2;
const PARENT = 4;
const ROOT = 8;
const CHUNK_LEN = 1024;

const rotr = (x: number, n: number): number => ((x >>> n) | (x << (32 - n))) >>> 0;

function g(s: number[], a: number, b: number, c: number, d: number, x: number, y: number): void {
  s[a] = (s[a]! + s[b]! + x) >>> 0;
  s[d] = rotr(s[d]! ^ s[a]!, 16);
  s[c] = (s[c]! + s[d]!) >>> 0;
  s[b] = rotr(s[b]! ^ s[c]!, 12);
  s[a] = (s[a]! + s[b]! + y) >>> 0;
  s[d] = rotr(s[d]! ^ s[a]!, 8);
  s[c] = (s[c]! + s[d]!) >>> 0;
  s[b] = rotr(s[b]! ^ s[c]!, 7);
}

function compress(cv: readonly number[], block: readonly number[], counter: number, blockLen: number, flags: number): number[] {
  const s = [...cv, IV[0]!, IV[1]!, IV[2]!, IV[3]!, counter >>> 0, Math.floor(counter / 2 ** 32) >>> 0, blockLen, flags];
  let m = [...block];
  for (let round = 0; round < 7; round++) {
    g(s, 0, 4, 8, 12, m[0]!, m[1]!);
    g(s, 1, 5, 9, 13, m[2]!, m[3]!);
    g(s, 2, 6, 10, 14, m[4]!, m[5]!);
    g(s, 3, 7, 11, 15, m[6]!, m[7]!);
    g(s, 0, 5, 10, 15, m[8]!, m[9]!);
    g(s, 1, 6, 11, 12, m[10]!, m[11]!);
    g(s, 2, 7, 8, 13, m[12]!, m[13]!);
    g(s, 3, 4, 9, 14, m[14]!, m[15]!);
    m = PERMUTATION.map((i) => m[i]!);
  }
  return Array.from({ length: 8 }, (_, i) => (s[i]! ^ s[i + 8]!) >>> 0);
}

function words(bytes: Uint8Array): number[] {
  const padded = new Uint8Array(64);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  return Array.from({ length: 16 }, (_, i) => view.getUint32(i * 4, true));
}

/** The chaining value of one chunk (up to 1024 bytes) at position `index`; with `root`, its last block is the root. */
function chunkCv(chunk: Uint8Array, index: number, root: boolean): number[] {
  let cv = IV;
  const blocks = Math.max(1, Math.ceil(chunk.length / 64));
  for (let b = 0; b < blocks; b++) {
    const block = chunk.subarray(b * 64, b * 64 + 64);
    const flags = (b === 0 ? CHUNK_START : 0) | (b === blocks - 1 ? CHUNK_END | (root ? ROOT : 0) : 0);
    cv = compress(cv, words(block), index, block.length, flags);
  }
  return cv;
}

/** The left subtree holds the largest power of two of chunks that leaves at least one byte for the right. */
function subtreeCv(input: Uint8Array, firstChunk: number, root: boolean): number[] {
  const chunks = Math.max(1, Math.ceil(input.length / CHUNK_LEN));
  if (chunks === 1) return chunkCv(input, firstChunk, root);
  const left = 2 ** Math.floor(Math.log2(chunks - 1));
  const l = subtreeCv(input.subarray(0, left * CHUNK_LEN), firstChunk, false);
  const r = subtreeCv(input.subarray(left * CHUNK_LEN), firstChunk + left, false);
  return compress(IV, [...l, ...r], 0, 64, PARENT | (root ? ROOT : 0));
}

/** Hex BLAKE3 of `input`. */
export function referenceBlake3(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const out = Buffer.alloc(32);
  subtreeCv(bytes, 0, true).forEach((w, i) => out.writeUInt32LE(w, i * 4));
  return out.toString('hex');
}
