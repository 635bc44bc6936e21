import fs from 'node:fs';
import path from 'node:path';

/**
 * The files that processes of this user on this host hold open, read from /proc, or undefined where /proc is not
 * available (then callers rely on file age alone). Processes of other users cannot be inspected, which is fine for
 * a data folder that belongs to one user.
 */
export function openFilesOnThisHost(): Set<string> | undefined {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const open = new Set<string>();
  for (const pid of pids) {
    const fdDir = path.join('/proc', pid, 'fd');
    let fds: string[];
    try {
      fds = fs.readdirSync(fdDir);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        open.add(fs.readlinkSync(path.join(fdDir, fd)));
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return open;
}
