import os from 'node:os';
import { QUICK_FIELDS as QUICK } from './quick-stamp';

/**
 * The body of a read-state file (after its header line), laid out so that a download of the version placed last
 * reads it without making a string or an object per file beyond each path:
 *
 * - a JSON line: the version placed last (or null), the row count, the byte order and the two text sections' sizes,
 *   padded with spaces so the columns after it start at a multiple of 8 bytes from the start of the file;
 * - QUICK float64 columns per row: size, mtime and ctime in milliseconds (exactly as a number `fs.lstat` gives
 *   them), inode and device (NaN when not an exact number, so such a row never matches by them);
 * - one byte per row: whether it belongs to the version placed last;
 * - the paths, one a line (paths hold no control characters);
 * - the exact stamps and digests, one line per row: `mtimeNs ctimeNs ino dev digest`, read only when a download
 *   needs more than the quick check of the version placed last.
 */
export interface StateBody {
  readonly placed: unknown;
  readonly paths: readonly string[];
  /** QUICK numbers per row: size, mtimeMs, ctimeMs, ino, dev (see quick-stamp.ts). */
  readonly quick: Float64Array;
  /** 1 for each row of the version placed last. */
  readonly marks: Uint8Array;
  /** The exact lines, undecoded. */
  readonly exact: Buffer;
  /** The paths as they lie in the file (each followed by a newline): written again as they are when none changed. */
  readonly pathBytes: Buffer;
  /** Whether the rows are in path order, as the file says (undefined: a file that does not say). */
  readonly sorted: boolean | undefined;
}

/**
 * Rows to write: as columns, with the exact lines as strings, or, when a save changed only some rows of the file it
 * read (state-table.ts's patched), the two text sections as pieces of bytes: they are then written as they are,
 * without decoding, joining and encoding a string per row again.
 */
export type Table = Pick<StateBody, 'paths' | 'quick' | 'marks'> & { readonly sorted: boolean } & (
  | { readonly exact: readonly string[] }
  | { readonly bytes: { readonly paths: Buffer; readonly exact: readonly Uint8Array[] } }
);

/** A body to write: the version placed last, and its rows. */
export type BodyToWrite = Pick<StateBody, 'placed'> & Table;

const ORDER = os.endianness();

/** The body's pieces after a header of `headerBytes` bytes (`exact`: one line per row, without its newline), to write in order. */
export function encodeBody(headerBytes: number, body: BodyToWrite): Uint8Array[] {
  const paths = 'bytes' in body ? body.bytes.paths : Buffer.from(body.paths.length > 0 ? `${body.paths.join('\n')}\n` : '');
  const exact = 'bytes' in body ? body.bytes.exact : [Buffer.from(body.exact.length > 0 ? `${body.exact.join('\n')}\n` : '')];
  const exactBytes = exact.reduce((n, piece) => n + piece.length, 0);
  let meta = JSON.stringify({ placed: body.placed, rows: body.paths.length, order: ORDER, pathBytes: paths.length, exactBytes, sorted: body.sorted });
  // Padded in bytes: a prefix may hold characters of more than one.
  meta += ' '.repeat((8 - ((headerBytes + Buffer.byteLength(meta) + 1) % 8)) % 8);
  const quick = Buffer.from(body.quick.buffer, body.quick.byteOffset, body.quick.byteLength);
  return [Buffer.from(`${meta}\n`), quick, body.marks, paths, ...exact];
}

/** Where a body's sections lie, from its first line (the body starting at `at` of `bytes`, which need hold no more of it). */
export interface BodyLayout {
  readonly placed: unknown;
  readonly rows: number;
  readonly sorted: boolean | undefined;
  readonly quickAt: number;
  readonly marksAt: number;
  readonly pathsAt: number;
  /** Where the exact lines start, and the whole file's length (the exact lines end it). */
  readonly exactAt: number;
  readonly end: number;
}

/** The layout of a body starting at `at` of `bytes`; undefined when its first line is not there or does not add up. */
export function bodyLayout(bytes: Buffer, at: number): BodyLayout | undefined {
  const end = bytes.indexOf(0x0a, at);
  if (end < 0 || (end + 1) % 8 !== 0) return undefined;
  const meta = JSON.parse(bytes.toString('utf8', at, end)) as { placed?: unknown; rows?: unknown; order?: unknown; pathBytes?: unknown; exactBytes?: unknown; sorted?: unknown };
  const { rows, pathBytes, exactBytes } = meta;
  if (meta.order !== ORDER || !isCount(rows) || !isCount(pathBytes) || !isCount(exactBytes)) return undefined;
  const quickAt = end + 1;
  const marksAt = quickAt + rows * QUICK * 8;
  const pathsAt = marksAt + rows;
  const exactAt = pathsAt + pathBytes;
  return { placed: meta.placed, rows, sorted: typeof meta.sorted === 'boolean' ? meta.sorted : undefined, quickAt, marksAt, pathsAt, exactAt, end: exactAt + exactBytes };
}

/**
 * The body laid out as `layout` says, from `front` (the file up to its exact lines at least). The exact lines are
 * read by `exact` when first asked for: a download of the version in place needs only the columns and the paths
 * before them, and skips reading the larger part of the file. Undefined when the paths do not add up.
 */
export function decodeBody(front: Buffer, layout: BodyLayout, exact: () => Buffer): StateBody | undefined {
  const { rows, quickAt, marksAt, pathsAt, exactAt } = layout;
  const paths = rows === 0 ? [] : front.toString('utf8', pathsAt, exactAt - 1).split('\n');
  if (paths.length !== rows) return undefined;
  let lines: Buffer | undefined;
  return {
    placed: layout.placed, paths, quick: float64s(front, quickAt, rows * QUICK), marks: front.subarray(marksAt, pathsAt), pathBytes: front.subarray(pathsAt, exactAt), sorted: layout.sorted,
    get exact() {
      return (lines ??= exact());
    },
  };
}

/** A view of the numbers where they lie, or a copy when the buffer does not start them at a multiple of 8. */
function float64s(bytes: Buffer, at: number, count: number): Float64Array {
  if ((bytes.byteOffset + at) % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset + at, count);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + count * 8));
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
