import { walkSorted, type SkippedPath, type WalkedFile } from './sorted-walk';

export type { SkippedPath, WalkedFile } from './sorted-walk';

/**
 * Lists the regular files under `root`, in manifest path order, as one list (for callers that want one, such as a
 * step's outputs; staging streams walkSorted instead). A symlink is followed only when it resolves to a file
 * inside `root`; links that leave the folder, and links to folders, are skipped and reported.
 */
export function walkDir(root: string, skipped: SkippedPath[]): WalkedFile[] {
  return [...walkSorted(root, skipped)];
}
