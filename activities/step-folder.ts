import fs from 'node:fs';
import path from 'node:path';
import { assertFolderName } from '../store/paths';
import { UsageError } from '../errors';

/** Written into a step folder when it is made; names the workflow run that made it. */
const MARKER = '.artifacts-step';

/**
 * A pipeline step's folder, `<run folder>/<step>`, with `inputs` (downloaded `uses`) and `outputs`. It is emptied
 * recursively before the step runs, so that removal must only ever reach a folder this very run made: a real
 * directory (never a symlink) directly inside a real run folder, holding the marker written when it was made,
 * which names this workflow run. Anything else is refused with nothing deleted.
 */
export class StepFolder {
  private constructor(
    readonly dir: string,
    /** `workflowId#runId` of the pipeline run that owns the folder. */
    private readonly owner: string,
  ) {}

  /** Checks that `dir` is `<absolute run folder>/<step>` with a plain run id and step id as its last two names. */
  static of(dir: string, owner: { readonly workflowId: string; readonly runId: string } | undefined): StepFolder {
    if (!owner) throw new UsageError(`Step folder ${JSON.stringify(dir)}: step folders belong to a pipeline workflow run; call this activity from one.`);
    if (!path.isAbsolute(dir) || path.normalize(dir) !== dir || dir.endsWith(path.sep)) {
      throw new UsageError(`Step folder ${JSON.stringify(dir)} is not a normalized absolute path; start the run with \`artifacts run\` or startPipeline, which choose it.`);
    }
    assertFolderName('Step id', path.basename(dir), dir);
    assertFolderName('Run id', path.basename(path.dirname(dir)), path.dirname(dir));
    return new StepFolder(dir, `${owner.workflowId}#${owner.runId}`);
  }

  get inputs(): string {
    return path.join(this.dir, 'inputs');
  }

  /** Makes the folder with empty `inputs` and `outputs`, first removing what an earlier attempt of this run left. */
  reset(): void {
    const runDir = path.dirname(this.dir);
    fs.mkdirSync(runDir, { recursive: true });
    if (!realDirectory(runDir)) throw new UsageError(`Run folder ${runDir} is a symbolic link or not a folder; nothing was deleted. Remove it, or start the run with another --run-id.`);
    if (fs.existsSync(this.dir) || isSymlink(this.dir)) {
      if (!this.ownsFolder()) {
        throw new UsageError(`Step folder ${this.dir} exists but was not made by this run (a reused run id, a folder made by hand, or a link); nothing was deleted. Remove it yourself, or start the run with another --run-id.`);
      }
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
    fs.mkdirSync(this.dir);
    fs.writeFileSync(path.join(this.dir, MARKER), this.owner, { flag: 'wx' });
    fs.mkdirSync(path.join(this.dir, 'outputs'));
    fs.mkdirSync(this.inputs);
  }

  /** Removes the copies of the step's inputs once the run no longer needs them; a folder this run did not make is left alone. */
  removeInputs(): void {
    if (this.ownsFolder() && realDirectory(this.inputs)) fs.rmSync(this.inputs, { recursive: true, force: true });
  }

  private ownsFolder(): boolean {
    if (!realDirectory(this.dir)) return false;
    try {
      return fs.readFileSync(path.join(this.dir, MARKER), 'utf8') === this.owner;
    } catch {
      return false;
    }
  }
}

function realDirectory(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
