/**
 * Writing a copy that keeps the source's holes: all-zero blocks are not written, so they stay holes in the copy
 * (its length is set by the caller). Used by the local store's ingest threads.
 */
import type fs from 'node:fs';
import type fsp from 'node:fs/promises';

/** Fewer blocks allocated than the size needs: the file has holes. */
export function isSparse(st: fs.Stats): boolean {
  return st.blocks * 512 < st.size;
}

async function writeAll(out: fsp.FileHandle, chunk: Buffer, at: number): Promise<void> {
  for (let done = 0; done < chunk.length;) done += (await out.write(chunk, done, chunk.length - done, at + done)).bytesWritten;
}

/** Holes are kept at this granularity: a zero region smaller than this is written like data. */
const HOLE_BLOCK = 64 << 10;
const ZEROS = Buffer.alloc(HOLE_BLOCK);

/** Writes the chunk's runs of blocks that hold data, skipping all-zero blocks (they read back as zeros from a hole). */
export async function writeNonZero(out: fsp.FileHandle, chunk: Buffer, at: number): Promise<void> {
  let runStart = -1;
  for (let pos = 0; pos < chunk.length; pos += HOLE_BLOCK) {
    const end = Math.min(pos + HOLE_BLOCK, chunk.length);
    const zero = ZEROS.compare(chunk, pos, end, 0, end - pos) === 0;
    if (!zero && runStart < 0) runStart = pos;
    if (zero && runStart >= 0) {
      await writeAll(out, chunk.subarray(runStart, pos), at + runStart);
      runStart = -1;
    }
  }
  if (runStart >= 0) await writeAll(out, chunk.subarray(runStart), at + runStart);
}
