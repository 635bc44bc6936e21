import fs from 'node:fs';
import type { BlobStore } from './blob-store';
import { LocalBlobStore, missingBlob } from './local-blob-store';

/**
 * A synchronous blob read for stores that can offer one (the local folder); undefined for remote stores. Reading
 * thousands of small manifest chunks one after another, a plain read is several times faster than the async
 * round trip, and a draft can check a `remove()` the moment it is called.
 */
export function syncBlobReader(blobs: BlobStore): ((digest: string) => Buffer) | undefined {
  if (!(blobs instanceof LocalBlobStore)) return undefined;
  return (digest) => fs.readFileSync(blobs.pathOf(digest));
}

/**
 * For a download from the local folder: reads a plain blob expected to hold `size` bytes (at most `scratch`'s
 * length less one) into `scratch` with one system call, and returns the bytes read (a view of `scratch`, valid
 * until the next call; more than `size` of them when the blob is longer). Undefined for remote stores and for files
 * stored as chunks. A missing blob is an IntegrityError naming it.
 */
export function syncSmallBlobReader(blobs: BlobStore): ((digest: string, size: number, scratch: Buffer) => Buffer) | undefined {
  if (!(blobs instanceof LocalBlobStore)) return undefined;
  return (digest, size, scratch) => {
    let fd: number;
    try {
      fd = fs.openSync(blobs.pathOf(digest), 'r');
    } catch (err) {
      throw missingBlob(digest, err);
    }
    try {
      // Asking for one byte more than expected: a read of a regular file comes back short only at its end.
      let n = 0;
      for (let got = -1; got !== 0 && n < size;) n += got = fs.readSync(fd, scratch, n, size + 1 - n, n);
      return scratch.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  };
}
