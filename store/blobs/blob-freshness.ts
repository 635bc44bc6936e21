import fs from 'node:fs';

/**
 * Whether a blob about to be written is already stored whole, so it can be reused instead: present with the
 * expected size. A blob of another size is damaged (truncated, appended to): the caller writes it again, renaming
 * over it. A reused blob is marked freshly written (its mtime set to now), so garbage collection's grace period
 * protects it from then on; false when it vanished meanwhile (collected a moment ago).
 */
export function reusableBlob(file: string, size: number): boolean {
  try {
    if (fs.statSync(file).size !== size) return false;
    const now = new Date();
    fs.utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}
