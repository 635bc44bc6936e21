// Before a timed run: no dirty pages, and no page cache left over from the runs before it.
//
// Each run of a suite writes gigabytes that stay cached; after a few runs the page cache fills this machine's memory,
// and every later write must first reclaim it (on these machines with DAMON reclaim besides). cp -r of 2 GiB took
// 0.50-0.56 s after dropping the cache and 0.7-5.2 s in the runs of one session that left it full, in no order a
// tool could control, and each data set's first rounds were slow for every tool. Dropping clean pages needs root;
// without it only the sync is done, and the report says so.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** `sync`, then drops the clean page cache when this process may (root); true when it did. */
export function quietMemory() {
  execFileSync('sync');
  try {
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

/**
 * Right before a timed run (after the warm-up reads): `gib` GiB of memory touched and freed, so the run's first
 * writes take memory the host backs already.
 *
 * This machine is a VM whose kernel hands free memory back to the host (virtio-balloon free page reporting:
 * /sys/module/page_reporting/parameters/reported_kib grows by about 300 MB/s for seconds after memory is freed).
 * Taking such memory again waits for the host to fault it in: after dropping the page cache nearly all memory is of
 * that kind, and a writer slowed from 4.4 to 0.4 GB/s once it had used up the memory freed moments before. Which
 * side met it depended on how long its warm-up took: for the S3 downloads, ours (4 GiB written: the files and the
 * read cache's copy) took 11.7-12.3 s with 10-11 s of system CPU, and 7.0-7.6 s with 3.6-4.0 s after 8 GiB touched
 * this way; the raw SDK (2 GiB) 4.4-5.0 s and 4.3-4.4 s. Touching costs 0.4-1.2 s per GiB, untimed.
 */
export function hotMemory(gib) {
  execFileSync(process.execPath, ['-e', `for (let i = 0; i < ${Number(gib)}; i++) Buffer.allocUnsafeSlow(1 << 30).fill(1);`]);
}

/**
 * The GiB to touch before a download of `bytes`: its writes, a read cache's copy of them, the server's and the
 * process's buffers. For the S3 download of 2 GiB, ours took 7.2 s (5.7-6.0 s of system CPU) after 6 GiB touched and
 * 4.6-4.9 s (2.1-2.2 s) after 10 GiB; the raw SDK 4.2-4.5 s after either. Used by the read bench only: the peers and
 * large suites were not measured both ways.
 */
export function hotGiBFor(bytes) {
  return Math.ceil((4 * bytes) / 2 ** 30) + 2;
}
