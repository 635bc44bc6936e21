import fs from 'node:fs';
import path from 'node:path';
import { nativeNameLister } from '../blobs/native';
import { deadOwners, ownedTempName } from '../owned-temps';
import { livePartial } from './partial-files';
import { headerOf } from './read-state';

/**
 * A download that writes into a folder leaves a mark beside the folder's state file for as long as it may have temp
 * files there: `<state file>.writing-<host>-<pid>-<uuid>` (owned-temps.ts names), holding the folder's path on its
 * first line, as a state file does (so read-state.ts prunes it once the folder is gone). A download killed outright
 * leaves its mark. The next one into the folder then finds a mark whose process is gone, and only then looks through
 * the folder for the temp files left: every folder of it, once. Without a kill since the last download ended, it
 * looks through none (a folder listing each, which was 8 ms of a 100 ms download of 200 changed files in 100
 * folders).
 */
export interface WritingMark {
  /**
   * How this download clears killed downloads' temp files: `all` folders now (a mark of a killed one was found), `none`
   * (none was killed since the last one ended), or each folder `as-written` (no mark of this one could be made: a kill
   * of it would leave nothing to find).
   */
  readonly sweep: 'all' | 'none' | 'as-written';
  /** Called once the folders were looked through: the killed downloads' marks are then removed. */
  swept(): void;
  /** Called when nothing more is written: this download's own mark is removed. */
  done(): void;
}

export function markWriting(stateFile: string, directory: string): WritingMark {
  const dir = path.dirname(stateFile);
  const kind = `${path.basename(stateFile)}.writing-`;
  const killed = deadOwners(dir, kind, nativeNameLister());
  const own = path.join(dir, ownedTempName(kind));
  let made = false;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(own, headerOf(0, directory), { flag: 'wx', mode: 0o600 });
    made = true;
  } catch {
    // A data folder that cannot be written: the download looks through each folder it writes into, as before marks.
  }
  // Removed as the process exits, if it is stopped (SIGINT, SIGTERM) before it is done.
  const tracked = made ? livePartial(own) : undefined;
  return {
    sweep: !made ? 'as-written' : killed.length > 0 ? 'all' : 'none',
    swept: () => killed.forEach((name) => fs.rmSync(path.join(dir, name), { force: true })),
    done: () => {
      if (!tracked) return;
      fs.rmSync(own, { force: true });
      tracked.done();
    },
  };
}
