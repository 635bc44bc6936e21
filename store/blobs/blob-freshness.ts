import fs from 'node:fs';

/**
 * Marks a stored blob that is about to be reused instead of written (same content uploaded again) as freshly
 * written, by setting its mtime to now, so garbage collection's grace period protects it from then on. Returns
 * false when the blob vanished meanwhile (collected a moment ago): the caller then writes it again.
 */
export function refreshBlob(file: string): boolean {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}
