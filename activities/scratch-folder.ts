import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors';

/** `shard-<index>-<host>-<pid>-<random>`: who made a scratch folder, so one whose maker died can be removed. */
const NAME = /^shard-\d+-(.+)-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Private scratch folders for shard outputs, under a root this user owns (the data folder's `scratch`). Another
 * local user must neither read a shard's outputs nor plant files that would be committed with them, so the root is
 * a real folder (never a symlink) owned by this user with mode 0700, and each shard's folder is made exclusively
 * with a random name (mkdtemp) and removed after the shard. Folders left by a process that was killed on this host
 * are removed the next time a shard starts here: no attempt ever reuses another's folder.
 */
export function makeScratchFolder(root: string, index: number): string {
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(root);
  if (!st.isDirectory()) throw new ConfigError(`Scratch folder ${root} is a symbolic link or not a folder; remove it so a private folder can be made there.`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new ConfigError(`Scratch folder ${root} belongs to another user (uid ${st.uid}); remove it, or set ARTIFACTS_HOME to a folder of your own.`);
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(root, 0o700);
  removeAbandoned(root);
  return fs.mkdtempSync(path.join(root, `shard-${index}-${thisHost()}-${process.pid}-`));
}

function removeAbandoned(root: string): void {
  for (const name of fs.readdirSync(root)) {
    const m = NAME.exec(name);
    if (!m || m[1] !== thisHost() || isAlive(Number(m[2]))) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
}

function thisHost(): string {
  return os.hostname().replace(/[^A-Za-z0-9.]+/g, '_');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
