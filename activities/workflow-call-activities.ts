import fs from 'node:fs';
import { Context } from '@temporalio/activity';
import path from 'node:path';
import { LocalFileError, UsageError } from '../errors';
import { normalizeEntryPath } from '../store/paths';
import type { SpecOp } from '../store/staging/spec';
import type { Store } from '../store/store';
import { recordConsumer } from '../store/registry/consumers';
import type { VersionRecord, WorkflowCaller } from '../store/registry/registry';
import type { HostFolder } from '../workflows/workflow-api-types';
import { removeOutputsFolder } from './outputs-folder';

/**
 * Activities behind the workflow-side API (`temporal-artifacts/workflows`): recording what a workflow names on a
 * host as a spec blob (on that host's queue, where the files are), resolving a ref, and removing an activity's
 * outputs folder once its version is committed.
 */
export function createWorkflowCallActivities(store: () => Promise<Store>, outputsRoot: () => string) {
  return {
    /** Checks the named files are there and records them (paths only, no bytes) as a spec; returns its digest. */
    async recordHostFiles(input: { readonly from: readonly HostFolder[]; readonly removes?: readonly string[] }): Promise<{ specDigest: string; files: number }> {
      const ops = [...(input.removes ?? []).map((p): SpecOp => ({ op: 'remove', path: normalizeEntryPath(p) })), ...input.from.flatMap(opsOf)];
      if (ops.length === 0) throw new UsageError('Nothing to add: give `dir` or `files` (or return outputsDir() from an activity).');
      return { specDigest: await (await store()).putSpec({ format: 'temporal-artifacts/spec@1', ops }), files: ops.length };
    },

    /** Resolves a ref; with `consumer`, records that workflow run as one that used the version (lineage). */
    async resolveVersion(input: { readonly ref: string; readonly consumer?: WorkflowCaller }): Promise<VersionRecord> {
      const s = await store();
      const v = await s.registry.resolve(input.ref);
      if (input.consumer) await recordConsumer(s.registry.db, v.name, v.index, input.consumer);
      return v;
    },

    /** Points a custom alias at the version `ref` names now (taking it off the version that held it). */
    async aliasVersion(input: { readonly ref: string; readonly alias: string }): Promise<VersionRecord> {
      const s = await store();
      const v = await s.registry.resolve(input.ref);
      // Recorded as the calling workflow's move; a protected alias refuses it like any unforced move.
      await s.registry.setAlias(v.name, input.alias, v.index, { actor: `workflow ${Context.current().info.workflowExecution?.workflowId ?? 'unknown'}` });
      return s.registry.resolve(`${v.name}:${v.version}`);
    },

    /** Removes an activity's outputs folder (only such a folder: see removeOutputsFolder). */
    async removeOutputsDir(input: { readonly dir: string }): Promise<{ removed: boolean }> {
      return { removed: removeOutputsFolder(outputsRoot(), input.dir) };
    },
  };
}

function opsOf(from: HostFolder): SpecOp[] {
  const ops: SpecOp[] = [];
  if (from.dir !== undefined) {
    mustBe(from.dir, 'folder', from.hostQueue);
    const prefix = from.prefix ? normalizeEntryPath(from.prefix) : '';
    ops.push({ op: 'dir', local: path.resolve(from.dir), prefix });
  }
  for (const f of from.files ?? []) {
    mustBe(f.local, 'file', from.hostQueue);
    ops.push({ op: 'file', local: path.resolve(f.local), path: normalizeEntryPath(f.path ?? path.basename(f.local)) });
  }
  return ops;
}

function mustBe(local: string, kind: 'file' | 'folder', hostQueue: string): void {
  if (!path.isAbsolute(local)) throw new UsageError(`${JSON.stringify(local)} is not an absolute path: a workflow names files on ${hostQueue} by absolute paths.`);
  const st = fs.statSync(local, { throwIfNoEntry: false });
  if (!st) throw new LocalFileError(local, `no such ${kind} on ${hostQueue}`);
  if (kind === 'folder' ? !st.isDirectory() : !st.isFile()) throw new UsageError(`${local} on ${hostQueue} is not a ${kind}; give a ${kind} there.`);
}
