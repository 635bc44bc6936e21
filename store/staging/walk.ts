import fs from 'node:fs';
import path from 'node:path';
import { LocalFileError } from '../../errors';
import { errnoOf, permanentFileReason } from '../../errors/file-errors';

export interface WalkedFile {
  /** Path relative to the walked folder, POSIX separators. */
  readonly rel: string;
  readonly local: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface SkippedPath {
  readonly local: string;
  readonly reason: string;
}

/**
 * Lists the regular files under `root`, depth first in name order. A symlink is followed only when it resolves
 * to a file inside `root`; links that leave the folder, and links to folders, are skipped and reported.
 */
export function walkDir(root: string, skipped: SkippedPath[]): WalkedFile[] {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
    if (!fs.statSync(realRoot).isDirectory()) throw new LocalFileError(root, 'it is not a folder; use addFile for a single file');
  } catch (err) {
    if (err instanceof LocalFileError) throw err;
    throw unreadable(err, root);
  }
  const out: WalkedFile[] = [];
  const visit = (dir: string, rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      throw unreadable(err, dir);
    }
    for (const entry of entries) {
      const local = path.join(dir, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        visit(local, childRel);
      } else if (entry.isFile()) {
        const st = statOrThrow(local);
        out.push({ rel: childRel, local, size: st.size, mtimeMs: st.mtimeMs });
      } else if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = fs.realpathSync(local);
        } catch {
          skipped.push({ local, reason: 'broken symlink' });
          continue;
        }
        if (!target.startsWith(realRoot + path.sep)) {
          skipped.push({ local, reason: `symlink points outside ${root}` });
          continue;
        }
        const st = fs.statSync(target);
        if (!st.isFile()) {
          skipped.push({ local, reason: 'symlink to a folder (not followed)' });
          continue;
        }
        out.push({ rel: childRel, local, size: st.size, mtimeMs: st.mtimeMs });
      } else {
        skipped.push({ local, reason: 'not a regular file' });
      }
    }
  };
  visit(realRoot, '');
  return out;
}

function statOrThrow(local: string): fs.Stats {
  try {
    return fs.statSync(local);
  } catch (err) {
    throw unreadable(err, local);
  }
}

/** A folder or file of the walk that cannot be read: the error naming it when no retry can help, else the error. */
function unreadable(err: unknown, local: string): unknown {
  const errno = errnoOf(err);
  const reason = permanentFileReason(errno?.code);
  if (!errno || !reason) return err;
  return new LocalFileError(local, reason);
}
