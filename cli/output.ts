import type { SkippedPath, StageProgress } from '../client';

/** Human-readable byte counts: 1.5 KiB, 2.0 GiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A progress bar for hashing and uploading on a TTY (redrawn in place on stderr); with no TTY it prints a
 * line every 5 s instead (the first after 5 s, so a short command prints none), so logs stay readable.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastPlain = this.started;
  private drawn = false;

  constructor(private readonly label: string, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(p: StageProgress): void {
    const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 1;
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = `${formatBytes(p.bytesDone / seconds)}/s`;
    const text = `${p.filesDone}/${p.filesTotal} files  ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}  ${rate}`;
    if (this.stream.isTTY) {
      const width = 28;
      const filled = Math.round(Math.min(1, fraction) * width);
      this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${text}\x1b[K`);
      this.drawn = true;
    } else if (Date.now() - this.lastPlain > 5000) {
      this.lastPlain = Date.now();
      this.stream.write(`${this.label}: ${text}\n`);
    }
  }

  done(): void {
    if (this.drawn) this.stream.write('\n');
  }
}

/** Prints rows as aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * Aligned columns printed as pages arrive (a listing of 100,000 names is never held whole): the widths are the
 * first page's (header included); a longer cell later only pushes its own row out.
 */
export class TableStream {
  private widths: number[] | undefined;

  /** `header`: the column names, or null for rows alone. */
  constructor(private readonly header: readonly string[] | null, private readonly out: (line: string) => void = (line) => console.log(line)) {}

  write(rows: readonly (readonly string[])[]): void {
    if (!this.widths) {
      if (rows.length === 0 && !this.header) return;
      this.widths = [];
      for (const row of this.header ? [this.header, ...rows] : rows) row.forEach((cell, i) => (this.widths![i] = Math.max(this.widths![i] ?? 0, cell.length)));
      if (this.header) this.line(this.header);
    }
    for (const row of rows) this.line(row);
  }

  /** True once anything was printed. */
  get started(): boolean {
    return this.widths !== undefined;
  }

  private line(row: readonly string[]): void {
    this.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(this.widths![i]!))).join('  '));
  }
}

/**
 * Prints `{ ...head, [key]: [...items], ...tail() }` as JSON while the items arrive (one per line), so a list of
 * millions is never held: the same document `JSON.stringify` would give, laid out differently.
 */
export async function printJsonStream(head: object, key: string, items: AsyncIterable<unknown>, tail: () => object = () => ({})): Promise<void> {
  const open = JSON.stringify(head, null, 2);
  process.stdout.write(`${open.slice(0, open.lastIndexOf('}')).trimEnd()}${Object.keys(head).length > 0 ? ',' : ''}\n  ${JSON.stringify(key)}: [`);
  let first = true;
  for await (const item of items) {
    process.stdout.write(`${first ? '' : ','}\n    ${JSON.stringify(item)}`);
    first = false;
  }
  const rest = JSON.stringify(tail(), null, 2);
  const more = rest.slice(1, rest.lastIndexOf('}')).trim();
  process.stdout.write(`${first ? '' : '\n  '}]${more ? `,\n  ${more}` : ''}\n}\n`);
}

/** Warns on stderr about each path an added folder did not follow, so no file goes missing unnoticed. */
export function warnSkipped(skipped: readonly SkippedPath[]): void {
  for (const s of skipped) console.error(`warning: skipped ${s.local}: ${s.reason}`);
}

/** A digest with its algorithm: versions and files from before digests named theirs are bare SHA-256 hex. */
export function digestText(digest: string): string {
  return /^[0-9a-f]{64}$/.test(digest) ? `sha256:${digest}` : digest;
}

/** A digest shortened for tables and one-line summaries: its algorithm and 16 hex digits. */
export function shortDigest(digest: string): string {
  const shown = digestText(digest);
  return shown.slice(0, shown.indexOf(':') + 17);
}

/** The exit status of a command whose reader closed the pipe: 128 + SIGPIPE, as `cat` and `git` end then. */
export const READER_GONE = 141;

/**
 * Writes every chunk to stdout, waiting while it is full. False, at once and quietly, when the reader closed the pipe
 * (`artifacts cat REF PATH | head`): the rest is neither read nor written. Other write errors are thrown.
 */
export async function printAll(chunks: AsyncIterable<Uint8Array>, out: NodeJS.WriteStream = process.stdout): Promise<boolean> {
  let failed: NodeJS.ErrnoException | undefined;
  const onError = (err: NodeJS.ErrnoException): void => {
    failed ??= err;
  };
  out.on('error', onError);
  // Drained, or failed (the 'error' listener above has recorded why).
  const writable = (): Promise<void> => new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('error', done);
  });
  try {
    for await (const chunk of chunks) {
      if (failed === undefined && !out.write(chunk)) await writable();
      if (failed?.code === 'EPIPE') return false;
      if (failed !== undefined) throw failed;
    }
    return true;
  } finally {
    out.off('error', onError);
  }
}
