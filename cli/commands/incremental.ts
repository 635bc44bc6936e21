import fs from 'node:fs';
import { command, JSON_OPTION } from '../command';
import { formatBytes, printJsonStream } from '../output';
import { Api, emptySummary, init, tally, workflowUiUrl, type DiffEntry } from '../../client';
import { UsageError } from '../../errors';

const DRAFT_USAGE = 'artifacts draft REF [--add PATH]... [--remove NAME]... [--alias A]... [--ttl 30d] [--json]';

/**
 * `artifacts draft REF --add PATH... --remove NAME...`: a new version from REF with some files added or replaced
 * and some removed, for scripts. Removals apply first, then additions (so `--remove images --add images/` swaps a
 * folder). A file is added under its base name; a folder's contents go at the root, as `artifacts log` does.
 */
export const draftCommand = command({
  summary: 'Make a new version from REF with files added, replaced or removed (removals first, then additions).',
  usage: DRAFT_USAGE,
  details: 'A file is added under its base name; a folder\'s contents go at the root, as `artifacts log` does.',
  options: {
    add: { type: 'string', multiple: true, value: 'PATH', help: 'add or replace a file or folder' },
    remove: { type: 'string', multiple: true, value: 'NAME', help: 'remove a file or a whole folder of the base' },
    alias: { type: 'string', multiple: true, value: 'A', help: 'point this alias at the new version' },
    ttl: { type: 'string', value: 'DURATION', help: 'let gc delete the version this long after its commit (30d, 12h)' },
    branch: { type: 'boolean', help: 'if REF is no longer latest and newer versions changed the same paths, commit on REF anyway (default: refuse)' },
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    const ref = positionals[0];
    if (!ref || positionals.length > 1) throw new UsageError(`Give one ref to start from, such as images:latest. Usage: ${DRAFT_USAGE}`);
    if (!values.add?.length && !values.remove?.length) throw new UsageError(`Nothing to change: give --add PATH or --remove NAME. Usage: ${DRAFT_USAGE}`);
    const api = new Api();
    try {
      const draft = (await api.artifact(ref)).newDraft();
      for (const name of values.remove ?? []) draft.remove(name);
      for (const p of values.add ?? []) {
        if (fs.existsSync(p) && fs.statSync(p).isDirectory()) draft.addDir(p);
        else draft.addFile(p);
      }
      const run = await init();
      try {
        const v = await run.logArtifact(draft, {
          aliases: values.alias ?? [],
          ...(values.ttl ? { ttl: values.ttl } : {}),
          ...(values.branch ? { onStale: 'branch' as const } : {}),
        });
        if (values.json) {
          console.log(JSON.stringify({ ...v.toJSON(), created: v.created, basedOn: v.basedOn, baseWasLatest: v.baseWasLatest, previousLatest: v.previousLatest, rebasedOnto: v.rebasedOnto, branched: v.branched, overlapping: v.overlapping, changes: v.changes, stage: v.stage }, null, 2));
          return 0;
        }
        const { added, removed, modified } = v.changes;
        console.log(`${v.created ? 'created' : 'unchanged, same content as'} ${v.ref} from ${v.name}:${v.basedOn}: +${added} added, -${removed} removed, ~${modified} modified (${v.fileCount} files, ${formatBytes(v.size)})`);
        if (v.rebasedOnto) console.log(`note: ${v.name}:${v.basedOn} was no longer latest; the changes touch none of the paths changed since, so they were applied on top of ${v.name}:${v.rebasedOnto}.`);
        if (v.branched) console.log(`note: branched: ${v.ref} is based on ${v.basedOn} and does not include the changes of ${v.name}:${v.previousLatest} to ${v.overlapping.join(', ')}.`);
        console.log(`stored ${formatBytes(v.stage.bytesWritten)} of new files and ${formatBytes(v.chunkBytes)} of new manifest chunks`);
        return 0;
      } finally {
        await run.finish();
      }
    } finally {
      await api.close();
    }
  },
});

/** `artifacts diff A B`: what changed from A to B, one line per entry, then totals. */
export const diffCommand = command({
  summary: 'List the files added, removed and modified from version A to version B.',
  usage: 'artifacts diff A B [--json]',
  options: {
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    const [from, to] = positionals;
    if (!from || !to) throw new UsageError('Give two refs, such as images:v1 images:v2. Usage: artifacts diff A B [--json]');
    const api = new Api();
    try {
      const [a, b] = [await api.artifact(from), await api.artifact(to)];
      // Streamed and counted as it goes: a diff of millions of entries is never held.
      const s = emptySummary();
      const counted = async function* (): AsyncGenerator<DiffEntry> {
        for await (const d of b.diffEntries(a)) {
          tally(s, d);
          yield d;
        }
      };
      if (values.json) {
        await printJsonStream({ from: a.ref, to: b.ref }, 'entries', counted(), () => ({ summary: s }));
        return 0;
      }
      for await (const d of counted()) console.log(diffLine(d));
      console.log(`${a.ref} -> ${b.ref}: +${s.added} added (${formatBytes(s.addedBytes)}), -${s.removed} removed (${formatBytes(s.removedBytes)}), ~${s.modified} modified`);
      return 0;
    } finally {
      await api.close();
    }
  },
});

function diffLine(d: DiffEntry): string {
  if (d.kind === 'added') return `+ ${d.path}  ${formatBytes(d.after.size)}`;
  if (d.kind === 'removed') return `- ${d.path}  ${formatBytes(d.before.size)}`;
  return `~ ${d.path}  ${formatBytes(d.before.size)} -> ${formatBytes(d.after.size)}`;
}

/** `artifacts lineage REF`: who made a version, what it was based on and used, and what was made from it. */
export const lineageCommand = command({
  summary: 'Show who made a version, its base, what it used, and what was made from it.',
  usage: 'artifacts lineage REF [--json]',
  options: {
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    const ref = positionals[0];
    if (!ref) throw new UsageError('Give a ref such as images:v3. Usage: artifacts lineage REF [--json]');
    const api = new Api();
    try {
      const l = await (await api.artifact(ref)).lineage();
      if (values.json) {
        console.log(JSON.stringify(l, null, 2));
        return 0;
      }
      console.log(l.ref);
      console.log(`made by:  ${l.producer ? `workflow ${l.producer.workflowId}${l.producer.runId ? ` run ${l.producer.runId}` : ''}${l.producer.run ? ` (init run ${l.producer.run})` : ''}` : 'unknown'}`);
      const caller = l.producer?.caller;
      if (caller) {
        const ui = workflowUiUrl(caller.workflowId, caller.runId);
        console.log(`for:      workflow ${caller.workflowId} (${caller.workflowType}) run ${caller.runId}${ui ? `\n          ${ui}` : ''}`);
      }
      for (const p of l.reproducedBy) console.log(`again by: workflow ${p.workflowId}${p.run ? ` (init run ${p.run})` : ''} (identical content)`);
      console.log(`based on: ${l.base ?? '-'}`);
      console.log(`used:     ${l.uses.join(', ') || '-'}`);
      console.log(`drafts:   ${l.derived.join(', ') || '-'}`);
      console.log(`used by:  ${l.usedBy.join(', ') || '-'}`);
      if (l.deleted.length) console.log(`deleted:  ${l.deleted.join(', ')} (tombstones: their refs fail)`);
      for (const w of l.usedByWorkflows) console.log(`used in:  workflow ${w.workflowId} (${w.workflowType}) run ${w.runId}`);
      console.log(`runs:     ${l.usedByRuns.map((r) => `${r.run} on ${r.host} (${r.at})`).join(', ') || '-'}`);
      return 0;
    } finally {
      await api.close();
    }
  },
});
