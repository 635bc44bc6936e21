import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The data folder's `read-state/`: one file per download folder (its stat cache), named after a hash of the
 * folder's path. Each file starts with a header line naming its folder, so the state of folders that were removed
 * can be found and dropped without a registry of folders: downloads into throw-away folders (a temp folder per
 * job) would otherwise leave one file each, forever.
 */
const MAGIC = 'artifacts-read-state';

/** How many state files one prune looks at: each costs a read of its first bytes and a stat of its folder. */
const PRUNE_BUDGET = 16;

export function stateFileOf(home: string, directory: string): string {
  const key = createHash('sha256').update(path.resolve(directory)).digest('hex');
  return path.join(home, 'read-state', `${key}.state`);
}

/** The first line of a state file: what it is, its format, and the folder it describes. */
export function headerOf(format: number, directory: string): string {
  return `${MAGIC} ${format} ${JSON.stringify(path.resolve(directory))}\n`;
}

/** Splits a state file into its header (format, folder) and body; undefined when it is not one (or of another format). */
export function parseState(bytes: Buffer, format: number): { folder: string; body: Buffer } | undefined {
  const end = bytes.indexOf(0x0a);
  if (end < 0) return undefined;
  const header = parseHeader(bytes.subarray(0, end).toString('utf8'));
  return header?.format === format ? { folder: header.folder, body: bytes.subarray(end + 1) } : undefined;
}

function parseHeader(line: string): { format: number; folder: string } | undefined {
  const match = /^artifacts-read-state (\d+) (".*")$/.exec(line);
  if (!match) return undefined;
  try {
    const folder = JSON.parse(match[2]!) as unknown;
    return typeof folder === 'string' ? { format: Number(match[1]), folder } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the state of up to PRUNE_BUDGET download folders, picked at random, whose folder no longer exists (and
 * leftovers that are not state files: temp files of a save that died, files of an older layout). Bounded, so a
 * download pays little for it however many folders were ever downloaded to; over many downloads every file is
 * looked at. A state file removed wrongly would only cost its folder one re-hash.
 */
export function pruneReadState(home: string, budget = PRUNE_BUDGET): number {
  const dir = path.join(home, 'read-state');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of sample(names, budget)) {
    const file = path.join(dir, name);
    if (!isLive(file)) {
      fs.rmSync(file, { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Whether a file in read-state/ is the state of a folder that exists, or a download's mark of writing into one
 * (writing-mark.ts: the same first line); a temp file is live while it is recent.
 */
function isLive(file: string): boolean {
  if (!file.endsWith('.state') && !file.includes('.state.writing-')) return file.endsWith('.tmp') && Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 3_600_000;
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(8192);
      head = head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return true;
  }
  const end = head.indexOf(0x0a);
  const header = end < 0 ? undefined : parseHeader(head.subarray(0, end).toString('utf8'));
  return header !== undefined && fs.statSync(header.folder, { throwIfNoEntry: false })?.isDirectory() === true;
}

function sample(names: readonly string[], count: number): string[] {
  const pool = [...names];
  for (let i = 0; i < Math.min(count, pool.length); i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}
