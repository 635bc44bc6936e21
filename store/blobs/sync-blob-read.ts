import type { BlobStore } from './blob-store';
import { LocalBlobStore } from './local-blob-store';

/**
 * A synchronous blob read for stores that can offer one (the local folder); undefined for remote stores. Reading
 * thousands of small manifest chunks one after another, a plain read is several times faster than the async
 * round trip, and a draft can check a `remove()` the moment it is called. Each is checked against its digest.
 */
export function syncBlobReader(blobs: BlobStore): ((digest: string) => Buffer) | undefined {
  if (!(blobs instanceof LocalBlobStore)) return undefined;
  return (digest) => blobs.getBytesSync(digest);
}
