import fs from 'node:fs';

/**
 * The most bytes one write call hands the kernel. On the bench machine (Linux 6.18, ext4), writing 512 MiB into
 * the page cache took 0.12-0.16 s in writes of 256 KiB and 1.3-1.8 s in writes of 4 MiB, the same bytes at the same
 * offsets (`docs/benchmarks.md`, "Write size"); a write of 2 MiB or more that covers an aligned 2 MiB range is the
 * slow kind. Pieces this size cost a few extra calls per chunk anywhere else.
 */
export const WRITE_PIECE = 256 << 10;

/** Writes bytes [start, end) of `bytes` at `at` (null: at the file's position), a WRITE_PIECE at a time. */
export function writeAllSync(fd: number, bytes: Uint8Array, start: number, end: number, at: number | null): void {
  for (let done = start; done < end;) {
    const wrote = fs.writeSync(fd, bytes, done, Math.min(WRITE_PIECE, end - done), at === null ? null : at + done - start);
    done += wrote;
  }
}

/** writeAllSync on the thread pool, for a thread that must not block: all of `bytes` at `at`. */
export function writeAll(fd: number, bytes: Uint8Array, at: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (done: number): void => {
      if (done >= bytes.length) return resolve();
      fs.write(fd, bytes, done, Math.min(WRITE_PIECE, bytes.length - done), at + done, (err, wrote) => (err ? reject(err) : from(done + wrote)));
    };
    from(0);
  });
}
