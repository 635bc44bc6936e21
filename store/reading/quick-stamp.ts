import type fs from 'node:fs';
import type { FileStamp } from './file-stamp';

/**
 * A file's stamp as the numbers a plain `fs.lstatSync` gives (size, mtimeMs, ctimeMs, ino, dev): checking it costs
 * no BigInt and no string per file, so a download of a version already in place is mostly its lstat calls.
 *
 * The times are milliseconds in a double, so they resolve a quarter of a microsecond, not a nanosecond: two ctimes
 * closer than that compare equal. That loses no change a nanosecond comparison would see. No call sets ctime: the
 * kernel sets it to the current time on every change, and a change made after the download stamped the file (by
 * an lstat that came after the file's last change) is later than that change by at least the lstat's own duration,
 * microseconds; one within the same clock tick keeps the very same nanoseconds. Inode and device are compared
 * exactly: one past 2^53 is recorded as NaN, which equals nothing, and such a file takes the exact road.
 */
export const QUICK_FIELDS = 5;

/** Writes the quick stamp of `stamp` at `quick[at..at+5]`. */
export function putQuick(quick: Float64Array, at: number, stamp: FileStamp): void {
  quick[at] = stamp.size;
  quick[at + 1] = msOf(stamp.mtimeNs);
  quick[at + 2] = msOf(stamp.ctimeNs);
  quick[at + 3] = exact(stamp.ino);
  quick[at + 4] = exact(stamp.dev);
}

/** Whether `st` (a plain lstat) has the quick stamp at `quick[at..at+5]`. */
export function sameQuick(st: fs.Stats, quick: Float64Array, at: number): boolean {
  return st.size === quick[at] && st.mtimeMs === quick[at + 1] && st.ctimeMs === quick[at + 2] && st.ino === quick[at + 3] && st.dev === quick[at + 4];
}

/** Whether `a` and `b` hold the same quick stamp at `at` (the native helper's lstat gives quick stamps; NaN for none). */
export function sameQuickAt(a: Float64Array, b: Float64Array, at: number): boolean {
  for (let k = at; k < at + QUICK_FIELDS; k++) if (a[k] !== b[k]) return false;
  return true;
}

const NS_PER_S = 1_000_000_000n;
const MINUS = 0x2d;

/** Nanoseconds since the epoch (decimal) as milliseconds, computed as Node computes `mtimeMs` from (s, ns). */
export function msOf(ns: string): number {
  if (ns.charCodeAt(0) !== MINUS) return Number(ns.slice(0, -9)) * 1e3 + Number(ns.slice(-9)) / 1e6;
  // Before 1970: the seconds are the floor, the nanoseconds what is left above it.
  const all = BigInt(ns);
  let s = all / NS_PER_S;
  let rest = all % NS_PER_S;
  if (rest < 0n) {
    s -= 1n;
    rest += NS_PER_S;
  }
  return Number(s) * 1e3 + Number(rest) / 1e6;
}

function exact(n: string): number {
  const v = Number(n);
  return Number.isSafeInteger(v) ? v : NaN;
}

/** The size in the `i`th quick stamp of `quick`. */
export function quickSize(quick: Float64Array, i: number): number {
  return quick[i * QUICK_FIELDS]!;
}
