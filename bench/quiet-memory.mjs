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
