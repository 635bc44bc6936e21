import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';

/**
 * Private scratch folders for shard outputs, under a root this user owns (the data folder's `scratch`). Another
 * local user must neither read a shard's outputs nor plant files that would be committed with them, so the root is
 * a real folder (never a symlink) owned by this user with mode 0700, and each shard's folder is made exclusively
 * with a random name (mkdtemp) and removed after the shard.
 */
export function makeScratchFolder(root: string, prefix: string): string {
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(root);
  if (!st.isDirectory()) throw new ConfigError(`Scratch folder ${root} is a symbolic link or not a folder; remove it so a private folder can be made there.`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new ConfigError(`Scratch folder ${root} belongs to another user (uid ${st.uid}); remove it, or set ARTIFACTS_HOME to a folder of your own.`);
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(root, 0o700);
  return fs.mkdtempSync(path.join(root, prefix));
}
