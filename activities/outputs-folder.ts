import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';

/** `<owner>-<activity>-<attempt>`: the workflow run that owns an activity's folder, the activity and its attempt. */
const NAME = /^[0-9a-f]{16}-[A-Za-z0-9_.-]{1,64}-\d+$/;

/** Names of one activity attempt, as its context gives them. */
export interface AttemptOf {
  readonly workflowId: string;
  readonly runId: string;
  readonly activityId: string;
  readonly attempt: number;
}

/**
 * Makes the private folder of one activity attempt's output files under `root` (mode 0700, a real folder owned by
 * this user), emptied if an earlier run of the same attempt left it: a retry never sees a failed attempt's files.
 */
export function makeOutputsFolder(root: string, of: AttemptOf): string {
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(root);
  if (!st.isDirectory()) throw new UsageError(`Activity outputs folder ${root} is a symbolic link or not a folder; remove it so a private folder can be made there.`);
  const owner = createHash('sha256').update(`${of.workflowId}\0${of.runId}`).digest('hex').slice(0, 16);
  const dir = path.join(root, `${owner}-${of.activityId.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 64)}-${of.attempt}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/**
 * Removes an activity output folder once its version is committed. Only a folder directly under `root` with the
 * name `makeOutputsFolder` gives is removed: a path from workflow input is hostile until shown otherwise.
 */
export function removeOutputsFolder(root: string, dir: string): boolean {
  const resolved = path.resolve(dir);
  if (path.dirname(resolved) !== path.resolve(root) || !NAME.test(path.basename(resolved))) return false;
  const st = fs.lstatSync(resolved, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return false;
  fs.rmSync(resolved, { recursive: true, force: true });
  return true;
}
