import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors';

/** `shard-<index>-<host>-<pid>-<random>`: who made a scratch folder, so one whose maker died can be removed. */
const NAME = /^shard-\d+-(.+)-(\d+)-[A-Za-z0-9]{6}$/;
/** How often one process looks for folders abandoned under a root: at its first shard there, then at most this often. */
const SWEEP_EVERY_MS = 60_000;
const lastSweep = new Map<string, number>();

/**
 * Private scratch folders for shard outputs, under a root this user owns (the data folder's `scratch`). Another
 * local user must neither read a shard's outputs nor plant files that would be committed with them, so the root is
 * a real folder (never a symlink) owned by this user with mode 0700, and each shard's folder is made exclusively
 * with a random name (mkdtemp) and removed after the shard. Folders left by a process that was killed on this host
 * are removed when the next process starts a shard here (and by a long-lived one within a minute): no attempt ever
 * reuses another's folder. The folder is made off the event loop, which a thousand shards would otherwise stall.
 */
export async function makeScratchFolder(root: string, index: number): Promise<string> {
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(root);
  if (!st.isDirectory()) throw new ConfigError(`Scratch folder ${root} is a symbolic link or not a folder; remove it so a private folder can be made there.`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new ConfigError(`Scratch folder ${root} belongs to another user (uid ${st.uid}); remove it, or set ARTIFACTS_HOME to a folder of your own.`);
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(root, 0o700);
  if (Date.now() - (lastSweep.get(root) ?? -Infinity) >= SWEEP_EVERY_MS) {
    lastSweep.set(root, Date.now());
    await removeAbandoned(root);
  }
  return fs.promises.mkdtemp(path.join(root, `shard-${index}-${thisHost()}-${process.pid}-`));
}

/** Removes a shard's scratch folder once it is done with, off the event loop. */
export async function removeScratchFolder(folder: string): Promise<void> {
  await fs.promises.rm(folder, { recursive: true, force: true });
}

async function removeAbandoned(root: string): Promise<void> {
  for (const name of await fs.promises.readdir(root)) {
    const m = NAME.exec(name);
    if (!m || m[1] !== thisHost() || isAlive(Number(m[2]))) continue;
    await removeScratchFolder(path.join(root, name));
  }
}

let host: string | undefined;

function thisHost(): string {
  return (host ??= os.hostname().replace(/[^A-Za-z0-9.]+/g, '_'));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
