/**
 * Writing a copy that keeps the source's holes: all-zero blocks are not written, so they stay holes in the copy
 * (its length is set by the caller). Used by the local store's ingest threads.
 */
import fs from 'node:fs';
import type fsp from 'node:fs/promises';
import { writeAll, writeAllSync } from './write-all';

/** Fewer blocks allocated than the size needs: the file has holes. */
export function isSparse(st: fs.Stats): boolean {
  return st.blocks * 512 < st.size;
}

/** Holes are kept at this granularity: a zero region smaller than this is written like data. */
const HOLE_BLOCK = 64 << 10;
const ZEROS = Buffer.alloc(HOLE_BLOCK);

/**
 * The [start, end) runs of `bytes` that hold data: consecutive blocks that are not all zeros, each run one write.
 * Random data is one run (the comparison stops at its first non-zero byte).
 */
export function dataRuns(bytes: Buffer): [number, number][] {
  const runs: [number, number][] = [];
  let runStart = -1;
  for (let pos = 0; pos < bytes.length; pos += HOLE_BLOCK) {
    const end = Math.min(pos + HOLE_BLOCK, bytes.length);
    const zero = ZEROS.compare(bytes, pos, end, 0, end - pos) === 0;
    if (!zero && runStart < 0) runStart = pos;
    if (zero && runStart >= 0) {
      runs.push([runStart, pos]);
      runStart = -1;
    }
  }
  if (runStart >= 0) runs.push([runStart, bytes.length]);
  return runs;
}

/** Writes the chunk's runs of blocks that hold data, skipping all-zero blocks (they read back as zeros from a hole). */
export async function writeNonZero(out: fsp.FileHandle, chunk: Buffer, at: number): Promise<void> {
  for (const [start, end] of dataRuns(chunk)) {
    await writeAll(out.fd, chunk.subarray(start, end), at + start);
  }
}

/** writeNonZero on a thread that may block: for the chunk jobs, which run on the ingest threads. */
export function writeNonZeroSync(fd: number, bytes: Buffer, at: number): void {
  for (const [start, end] of dataRuns(bytes)) writeAllSync(fd, bytes, start, end, at + start);
}
