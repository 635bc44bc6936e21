import { hasherFor } from '../blobs/digest';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { UnsafeTargetError } from '../../errors';
import { stampOf, type FileStamp } from './file-stamp';
import { writeAllSync } from '../blobs/write-all';
import { dataFolderBelow, intoDataFolder } from './data-folder-fence';
import { livePartial, partialName, removeDeadPartials, removeDeadPartialsBelow } from './partial-files';
import { listStrays, removeStrays } from './stray-files';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = fs.constants;
/**
 * On Linux, `/proc/self/fd/N/name` names `name` inside the folder open as N, wherever that folder is now: the
 * path-based calls below then act on a folder pinned by its descriptor (as openat would), so a folder swapped for a
 * symlink after it was opened cannot redirect them. Elsewhere each folder is still opened without following a
 * link, which catches a link planted before the download, though not one swapped in between two calls.
 */
const PINNED = fs.existsSync('/proc/self/fd');

interface OpenFolder {
  readonly name: string;
  readonly fd: number;
  /** The path-based name of the open folder (see PINNED). */
  readonly at: string;
}

export interface WrittenFile {
  readonly digest: string;
  readonly size: number;
}

/** A file being written under a temp name beside its place (see TargetFolder.openPartial). */
export interface PartialFile {
  readonly fd: number;
  keep(): FileStamp;
  drop(): void;
}

/** A regular file already at an entry's place in the folder. */
export interface FileInPlace {
  readonly stamp: FileStamp;
  /** Reads it (never through a link) and returns what its bytes hash to, with its stamp as read. */
  hash(like?: string): Promise<WrittenFile & { readonly stamp: FileStamp }>;
}

/**
 * A download's target folder. Files are written only under it: every folder below it is created or opened
 * without following a symlink (a link, or a file where a folder is needed, is refused), each file is written to a
 * fresh temp name created exclusively and renamed over its name only once its bytes hash to the expected digest.
 * Entries should come in path order: the open folders of one entry are reused by the next.
 */
export class TargetFolder {
  private readonly chain: OpenFolder[] = [];
  /** Folders (by entry path) already cleared of killed downloads' temp files (see partial-files.ts). */
  private readonly cleared = new Set<string>();
  /** Whether each folder is cleared of them as it is first written into (see clearKilledPartials). */
  private clearAsWritten = true;

  private constructor(readonly root: string, private readonly top: OpenFolder, private readonly dataBelow: string | undefined) {}

  /**
   * Creates `root` if needed (its own path is the caller's choice and may go through links) and opens it. Refused
   * inside `dataFolder` (the store's ARTIFACTS_HOME); when that is below `root`, nothing is written into it and
   * `removeAllBut` leaves it (see data-folder-fence.ts).
   */
  static async open(root: string, dataFolder: string): Promise<TargetFolder> {
    const abs = path.resolve(root);
    const dataBelow = dataFolderBelow(abs, dataFolder);
    await fsp.mkdir(abs, { recursive: true });
    const fd = fs.openSync(abs, O_RDONLY | O_DIRECTORY);
    return new TargetFolder(abs, { name: '', fd, at: PINNED ? `/proc/self/fd/${fd}` : abs }, dataBelow);
  }

  /**
   * Writes `chunks` at `entryPath` (a normalized entry path) if their digest and size are `expected` (undefined:
   * whatever they are). Returns what was read; when it does not match, nothing is left at `entryPath` or under a
   * temp name.
   */
  async write(entryPath: string, chunks: AsyncIterable<Uint8Array>, expected: WrittenFile | undefined): Promise<WrittenFile & { readonly stamp?: FileStamp }> {
    const partial = this.openPartial(entryPath);
    let written: WrittenFile;
    try {
      written = await writeHashed(partial.fd, chunks, expected?.digest);
    } catch (err) {
      partial.drop();
      throw err;
    }
    if (expected && (written.digest !== expected.digest || written.size !== expected.size)) {
      partial.drop();
      return written;
    }
    return { ...written, stamp: partial.keep() };
  }

  /**
   * A fresh temp file in `entryPath`'s folder, created exclusively (plain synchronous calls: each is short, and for
   * many small files they cost a fraction of their async twins). `keep` renames it over `entryPath` and returns its
   * stamp; `drop` removes it. Either closes it.
   */
  openPartial(entryPath: string): PartialFile {
    const segments = entryPath.split('/');
    const leaf = segments.pop()!;
    const folder = this.enterToWrite(entryPath, segments);
    const tmp = `${folder.at}/${partialName()}`;
    const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o666);
    const tracked = livePartial(tmp);
    let open = true;
    const close = (): void => {
      if (open) fs.closeSync(fd);
      open = false;
    };
    return {
      fd,
      keep: () => {
        close();
        try {
          // rename replaces a symlink at the leaf itself, never what it points to.
          fs.renameSync(tmp, `${folder.at}/${leaf}`);
          tracked.done();
          // Stamped after the rename, which changes the file's ctime.
          return stampOf(fs.lstatSync(`${folder.at}/${leaf}`, { bigint: true }));
        } catch (err) {
          fs.rmSync(tmp, { force: true });
          tracked.done();
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') throw this.unsafe(entryPath, [...segments, leaf], 'is a folder, so the file cannot be written there');
          throw err;
        }
      },
      drop: () => {
        close();
        fs.rmSync(tmp, { force: true });
        tracked.done();
      },
    };
  }

  /**
   * The folder `entryPath` goes in (created as `write` would), held open on a descriptor of its own until `close`,
   * so another thread can create files in it by `at` (see PINNED) while this one moves on to other folders.
   */
  holdFolderOf(entryPath: string): { readonly at: string; close(): void } {
    const segments = entryPath.split('/');
    segments.pop();
    const folder = this.enterToWrite(entryPath, segments);
    if (folder === this.top) {
      const fd = fs.openSync(folder.at, O_RDONLY | O_DIRECTORY);
      return { at: PINNED ? `/proc/self/fd/${fd}` : folder.at, close: () => fs.closeSync(fd) };
    }
    // The folder just entered is handed over as it is (the next entry, in another folder, would close it anyway).
    this.chain.pop();
    return { at: folder.at, close: () => fs.closeSync(folder.fd) };
  }

  /** The regular file at `entryPath`, or undefined when nothing (or a link, a folder, a device...) is there. */
  inPlace(entryPath: string): FileInPlace | undefined {
    const segments = entryPath.split('/');
    const leaf = segments.pop()!;
    const at = `${this.enter(entryPath, segments).at}/${leaf}`;
    const st = fs.lstatSync(at, { bigint: true, throwIfNoEntry: false });
    if (!st?.isFile()) return undefined;
    return { stamp: stampOf(st), hash: (like?: string) => hashInPlace(at, like) };
  }

  /**
   * Removes everything below the root that is not one of `keep` (entry paths) or a folder holding one (nor the data
   * folder, nor a folder holding it), and returns the entry-style paths removed. Links are removed, never followed; every folder is entered by
   * descriptor, so one swapped for a link meanwhile cannot lead the removal outside the root.
   */
  removeAllBut(keep: ReadonlySet<string>): string[] {
    for (const f of this.chain.splice(0)) fs.closeSync(f.fd);
    return removeStrays(this.top.at, keep, this.dataBelow);
  }

  /** What `removeAllBut(keep)` would remove now, removing nothing. */
  straysBesides(keep: ReadonlySet<string>): string[] {
    return listStrays(this.top.at, keep, this.dataBelow);
  }

  close(): void {
    for (const f of this.chain.splice(0)) fs.closeSync(f.fd);
    fs.closeSync(this.top.fd);
  }

  /**
   * How killed downloads' temp files are cleared (see writing-mark.ts): `all` folders below the root now, `none`, or
   * (as a folder opened does unless told) each folder the first time a file is written into it.
   */
  clearKilledPartials(how: 'all' | 'none' | 'as-written'): void {
    if (how === 'all') removeDeadPartialsBelow(this.top.at, this.dataBelow);
    this.clearAsWritten = how === 'as-written';
  }

  /** As `enter`, for a file about to be written there: the first time, the folder is cleared of killed downloads' temp files. */
  private enterToWrite(entryPath: string, segments: readonly string[]): OpenFolder {
    const data = this.dataBelow;
    if (data !== undefined && (entryPath === data || entryPath.startsWith(`${data}/`))) throw intoDataFolder(entryPath, this.root, data);
    const folder = this.enter(entryPath, segments);
    const key = segments.join('/');
    if (this.clearAsWritten && !this.cleared.has(key)) {
      this.cleared.add(key);
      removeDeadPartials(folder.at);
    }
    return folder;
  }

  /** Opens (creating them as needed) the folders `segments` below the root, keeping those the last entry shared. */
  private enter(entryPath: string, segments: readonly string[]): OpenFolder {
    let keep = 0;
    while (keep < this.chain.length && keep < segments.length && this.chain[keep]!.name === segments[keep]) keep++;
    for (const f of this.chain.splice(keep)) fs.closeSync(f.fd);
    for (let i = keep; i < segments.length; i++) {
      const parent = i === 0 ? this.top : this.chain[i - 1]!;
      this.chain.push(this.openChild(entryPath, parent, segments.slice(0, i + 1)));
    }
    return segments.length === 0 ? this.top : this.chain[segments.length - 1]!;
  }

  private openChild(entryPath: string, parent: OpenFolder, segments: readonly string[]): OpenFolder {
    const name = segments[segments.length - 1]!;
    const at = `${parent.at}/${name}`;
    let fd: number;
    try {
      fd = openFolder(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw this.refusedFolder(err, entryPath, segments, at);
      // mkdir does not follow a link at its last component: it fails with EEXIST, and the open below refuses it.
      try {
        fs.mkdirSync(at);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      try {
        fd = openFolder(at);
      } catch (err) {
        throw this.refusedFolder(err, entryPath, segments, at);
      }
    }
    return { name, fd, at: PINNED ? `/proc/self/fd/${fd}` : at };
  }

  /** The error for a folder that could not be opened: a link or a file where the version has a folder says so. */
  private refusedFolder(err: unknown, entryPath: string, segments: readonly string[], at: string): unknown {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ELOOP' && code !== 'ENOTDIR') return err;
    const isLink = fs.lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink() === true;
    return this.unsafe(entryPath, segments, isLink ? 'is a symbolic link, and download never writes through one' : 'is a file where the version has a folder');
  }

  private unsafe(entryPath: string, segments: readonly string[], reason: string): UnsafeTargetError {
    return new UnsafeTargetError(path.join(this.root, ...segments), entryPath, reason);
  }
}

/** Opens a folder, never through a link at its last component (an existing folder: one call, no mkdir refused). */
function openFolder(at: string): number {
  return fs.openSync(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

async function hashInPlace(at: string, like: string | undefined): Promise<WrittenFile & { readonly stamp: FileStamp }> {
  const handle = await fsp.open(at, O_RDONLY | O_NOFOLLOW);
  try {
    const before = stampOf(await handle.stat({ bigint: true }));
    const hash = hasherFor(like);
    let size = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false, highWaterMark: 8 << 20 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const stamp = stampOf(await handle.stat({ bigint: true }));
    // Written to while we read it: what we hashed is no snapshot, so it counts as not in place.
    const torn = JSON.stringify(before) !== JSON.stringify(stamp);
    return { digest: torn ? 'changed while read' : hash.digest(), size, stamp };
  } finally {
    await handle.close();
  }
}

async function writeHashed(out: number, chunks: AsyncIterable<Uint8Array>, like: string | undefined): Promise<WrittenFile> {
  const hash = hasherFor(like);
  let size = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    writeAllSync(out, chunk, 0, chunk.length, null);
    size += chunk.length;
  }
  return { digest: hash.digest(), size };
}
