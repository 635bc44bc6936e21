/**
 * A state file's exact lines (`mtimeNs ctimeNs ino dev digest`, one per row: see state-body.ts) as they lie, found by
 * where each starts and decoded one at a time. A download beside the version in place asks for the few rows it
 * replaces, and saves the section again as pieces: decoding and splitting all 20,000 lines cost it more than the
 * rest of what it does with the state file.
 */
export class ExactLines {
  /** Where each line starts, and one past the end (`rows + 1` offsets); empty when the lines do not add up. */
  private readonly starts: Uint32Array;

  /** `bytes`: the section, `rows` lines each ended by a newline. Lines that do not add up to `rows` are none (`ok` false). */
  constructor(readonly bytes: Buffer, rows: number) {
    this.starts = startsOf(bytes, rows);
  }

  static readonly none = new ExactLines(Buffer.alloc(0), -1);

  /** Whether the section holds exactly as many lines as rows (when not, none of its rows is trusted). */
  get ok(): boolean {
    return this.starts.length > 0;
  }

  /** Line `i`, without its newline. */
  line(i: number): string {
    return this.bytes.toString('utf8', this.starts[i], this.starts[i + 1]! - 1);
  }

  /** Where line `i` starts in the section (`i` = rows: its end). */
  start(i: number): number {
    return this.starts[i]!;
  }

  /** Whether line `i` ends with ` <digest>`, compared as bytes (nothing decoded). */
  endsWithDigest(i: number, digest: string): boolean {
    const end = this.starts[i + 1]! - 1;
    const at = end - Buffer.byteLength(digest);
    return at > this.starts[i]! && this.bytes[at - 1] === SPACE && this.bytes.toString('utf8', at, end) === digest;
  }

  /** The digest at the end of line `i`. */
  digest(i: number): string {
    const line = this.line(i);
    return line.slice(line.lastIndexOf(' ') + 1);
  }
}

/**
 * The start of each of `rows` lines of `bytes`, and its end; empty when it does not hold exactly that many (or rows < 0).
 * Searched in the bytes read as one byte a character (so a character's index is its byte's): a string's search
 * costs less per call than a buffer's, and a download makes 20,000 of them once each.
 */
function startsOf(bytes: Buffer, rows: number): Uint32Array {
  if (rows < 0 || bytes.length >= 2 ** 32 || (rows === 0) !== (bytes.length === 0)) return new Uint32Array(0);
  const text = bytes.toString('latin1');
  const starts = new Uint32Array(rows + 1);
  let at = 0;
  for (let i = 0; i < rows; i++) {
    starts[i] = at;
    const end = text.indexOf('\n', at);
    if (end < 0) return new Uint32Array(0);
    at = end + 1;
  }
  if (at !== bytes.length) return new Uint32Array(0);
  starts[rows] = at;
  return starts;
}

const SPACE = 0x20;
