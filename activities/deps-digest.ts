import fs from 'node:fs';
import path from 'node:path';
import { hashFile } from '../store/blobs/digest';
import { globToRegExp } from '../store/staging/glob';
import { walkDir, type SkippedPath } from '../store/staging/walk';
import { UsageError } from '../errors';

/** One file a step's `deps` matched: its path relative to the workdir and the SHA-256 of its content. */
export type DepFile = readonly [rel: string, digest: string];

const GLOB_CHARS = /[*?]/;

/**
 * The files a step's `deps` globs match under its workdir, path-sorted, each with the digest of its content.
 * Only the folder before a glob's first wildcard is walked (`src/**\/*.py` walks `src/`), so a workdir holding
 * a large data folder costs nothing unless a glob asks for it. Only regular files count (a glob naming a device
 * or a fifo is refused, never read). A glob that matches nothing is an error: it is most likely a typo, and a
 * cache key that silently left out the step's code would re-use results the code no longer gives.
 */
export async function digestDeps(cwd: string, globs: readonly string[], step: string): Promise<DepFile[]> {
  const found = new Map<string, string>();
  for (const glob of globs) {
    const matched = GLOB_CHARS.test(glob) ? matchGlob(cwd, glob) : literalFile(cwd, glob, step);
    if (matched.length === 0) {
      throw new UsageError(`deps of step "${step}": ${JSON.stringify(glob)} matches no file under ${cwd}; fix the glob (paths are relative to the step's workdir) or remove it.`);
    }
    for (const file of matched) found.set(file.rel, file.local);
  }
  const out: DepFile[] = [];
  for (const rel of [...found.keys()].sort()) out.push([rel, (await hashFile(found.get(rel)!)).digest]);
  return out;
}

interface Matched {
  readonly rel: string;
  readonly local: string;
}

function matchGlob(cwd: string, glob: string): Matched[] {
  const parts = glob.split('/');
  const wild = parts.findIndex((p) => GLOB_CHARS.test(p));
  const base = parts.slice(0, wild).join('/');
  const root = path.resolve(cwd, base);
  if (!isFolder(root)) return [];
  const re = globToRegExp(glob);
  const skipped: SkippedPath[] = [];
  return walkDir(root, skipped)
    .map((f) => ({ rel: base === '' ? f.rel : `${base}/${f.rel}`, local: f.local }))
    .filter((f) => re.test(f.rel));
}

function literalFile(cwd: string, rel: string, step: string): Matched[] {
  const local = path.resolve(cwd, rel);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(local);
  } catch {
    return [];
  }
  if (stat.isDirectory()) {
    throw new UsageError(`deps of step "${step}": ${JSON.stringify(rel)} is a folder; write "${rel.replace(/\/$/, '')}/**" to cover the files in it.`);
  }
  if (!stat.isFile()) throw new UsageError(`deps of step "${step}": ${JSON.stringify(rel)} (${local}) is not a regular file; deps must name files.`);
  return [{ rel, local }];
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
