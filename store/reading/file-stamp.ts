import type fs from 'node:fs';

/** What a file's metadata says about it: enough to tell, without reading it, that it was not changed since. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeNs: string;
  /** The kernel sets ctime on every change (even `touch -d`, or restoring mtime), and no user call can set it back. */
  readonly ctimeNs: string;
  readonly ino: string;
  readonly dev: string;
}

export function stampOf(st: fs.BigIntStats): FileStamp {
  return { size: Number(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs), ino: String(st.ino), dev: String(st.dev) };
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.dev === b.dev;
}
