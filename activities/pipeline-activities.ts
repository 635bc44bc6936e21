import path from 'node:path';
import { Context } from '@temporalio/activity';
import { runCommand, type CommandSpec } from './run-command';
import { StepFolder } from './step-folder';
import { matchesAny } from '../store/staging/glob';
import { normalizeEntryPath } from '../store/paths';
import type { SpecOp } from '../store/staging/spec';
import type { Store } from '../store/store';
import { downloadVersion } from '../store/version-files';
import { walkDir } from '../store/staging/walk';
import { splitName } from '../store/registry/ref';
import { UsageError } from '../errors';
import type { StepCommandRun } from '../workflows/pipeline-types';
import type { UsedVersion } from './step-cache-activities';

/**
 * Activities of pipeline steps. They run on the task queue of the host that started the run, where the step
 * folders live: `<workDir>/<step>/inputs` (downloaded `uses`) and `<workDir>/<step>/outputs` (what the step writes).
 */
export function createPipelineActivities(store: () => Promise<Store>) {
  return {
    /** Makes empty step folders and downloads each `uses` ref into `inputs/<name>`; returns the resolved versions. */
    async prepareStep(input: { readonly dir: string; readonly uses: readonly string[]; readonly project?: string }): Promise<UsedVersion[]> {
      const folder = StepFolder.of(input.dir, Context.current().info.workflowExecution);
      folder.reset();
      const inputs = folder.inputs;
      const s = await store();
      const used: UsedVersion[] = [];
      for (const ref of input.uses) {
        const version = await s.registry.resolve(ref, input.project);
        // `inputs/<name>` without the project, as a step's command expects it whichever project it runs in.
        await downloadVersion(s, version, path.join(inputs, splitName(version.name).name));
        used.push({ name: version.name, index: version.index, ref: `${version.name}:${version.version}`, digest: version.digest });
      }
      return used;
    },

    /** Deletes the copies of steps' inputs once their run has ended; folders the run did not make are left alone. */
    async removeStepInputs(input: { readonly dirs: readonly string[] }): Promise<void> {
      const owner = Context.current().info.workflowExecution;
      for (const dir of input.dirs) StepFolder.of(dir, owner).removeInputs();
    },

    /** Runs a step's command; a non-zero exit fails this attempt (the step's retry policy decides what next). */
    async runStepCommand(input: { readonly step: string; readonly command: CommandSpec }): Promise<StepCommandRun> {
      const ctx = Context.current();
      await runCommand(input.command, ctx, `step "${input.step}" (attempt ${ctx.info.attempt})`);
      return { exitCode: 0, attempt: ctx.info.attempt };
    },

    /**
     * Records a step's `uses` as the lineage of the version it made, whichever way it was made (a fan-out, an
     * incremental save, a commit that found its content already there): the log workflow records them only on a
     * version it creates.
     */
    async recordStepUses(input: { readonly name: string; readonly index: number; readonly uses: readonly { name: string; index: number }[] }): Promise<void> {
      await (await store()).registry.recordUses(input.name, input.index, input.uses);
    },

    /** Records a step's outputs as a spec blob (all files, or those matching `files` globs). */
    async recordOutputs(input: { readonly outputs: string; readonly files?: readonly string[] | undefined }): Promise<{ specDigest: string; files: number }> {
      const ops = fileOps(input.outputs, input.files);
      return { specDigest: await (await store()).putSpec({ format: 'temporal-artifacts/spec@1', ops }), files: ops.length };
    },

    /** Resolves an incremental step's base and records its adds (globs under outputs) and removes as a spec. */
    async prepareIncremental(input: {
      readonly outputs: string; readonly from: string; readonly add?: readonly string[] | undefined; readonly remove?: readonly string[] | undefined; readonly project?: string;
    }) {
      const s = await store();
      const base = await s.registry.resolve(input.from, input.project);
      const ops: SpecOp[] = [
        ...(input.remove ?? []).map((p): SpecOp => ({ op: 'remove', path: normalizeEntryPath(p) })),
        ...fileOps(input.outputs, input.add),
      ];
      return { name: base.name, type: base.type, baseIndex: base.index, baseRoot: base.manifest.root, specDigest: await s.putSpec({ format: 'temporal-artifacts/spec@1', ops }) };
    },
  };
}

function fileOps(outputs: string, globs: readonly string[] | undefined): SpecOp[] {
  const skipped: { local: string; reason: string }[] = [];
  const files = walkDir(outputs, skipped).filter((f) => !globs || matchesAny(f.rel, globs));
  if (globs && files.length === 0) {
    throw new UsageError(`No file under ${outputs} matches ${globs.join(', ')}; check the step writes its files into \${{ outputs }}.`);
  }
  return files.map((f) => ({ op: 'file', local: f.local, path: f.rel }));
}
