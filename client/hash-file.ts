import { hashFile } from '../store/blobs/digest';
import { statSourceFile } from '../store/blobs/source-file';

/**
 * The digest a file would be stored under, without storing it: `blake3:<hex>` (what `b3sum` prints) for a file of
 * up to one chunk (4 MiB), `blake3c:<hex>` for a larger one (see docs/format.md). A path that is not a readable
 * regular file is a LocalFileError naming it.
 */
export async function fileDigest(localPath: string): Promise<{ digest: string; size: number }> {
  statSourceFile(localPath);
  return hashFile(localPath);
}
