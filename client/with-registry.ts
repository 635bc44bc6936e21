import type { Store } from '../store/store';
import { UsageError } from '../errors';

/**
 * The store, for a call on a version that needs the registry. Reading files needs only the blobs, so a version
 * outlives the run or Api that returned it for those; the registry closed with them, and this says so (and what to
 * do) instead of the database driver's error.
 */
export async function withRegistry(store: () => Promise<Store>, call: string, ref: string): Promise<Store> {
  const opened = await store();
  if (opened.isOpen) return opened;
  throw new UsageError(`${call} of ${ref} needs the registry, which was closed when the run or Api that returned this version ended (run.finish(), api.close()). ` +
    `Its files can still be read (download, checkout, getEntry, files, verify, diff). Call ${call} before that, or get the version again from an open Api: await new Api().artifact('${ref}').`);
}
