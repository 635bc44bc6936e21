/**
 * What the artifact pages read, as plain JSON: the list of names, one name's versions, one version's details and
 * the children of one folder of its file tree, the difference between two versions. Strings are passed through
 * as data; the page renders them as text.
 */
import { workflowUiUrl, type ArtifactVersion, type DiffEntry } from '../client';
import type { ArtifactListJson, DiffJson, DiffRow, FileRow, FolderJson, FolderRow, VersionDetailJson, VersionListJson } from './api-types';
import type { UiData } from './ui-data';

/** The most rows one folder listing or one diff sends; the page says how many more there are. */
export const MAX_ROWS = 2000;

export async function artifactList(data: UiData, query: string): Promise<ArtifactListJson> {
  const all = await data.api.artifacts();
  const q = query.trim().toLowerCase();
  return { artifacts: q ? all.filter((a) => a.name.toLowerCase().includes(q) || a.type.toLowerCase().includes(q)) : all };
}

export async function versionList(data: UiData, name: string): Promise<VersionListJson> {
  const versions = await data.api.versions(name);
  return {
    name,
    versions: versions.map((v) => ({
      ref: v.ref, version: v.version, digest: v.digest, files: v.fileCount, size: v.size, aliases: v.aliases, createdAt: v.createdAt,
    })).reverse(),
  };
}

export async function versionDetail(data: UiData, ref: string): Promise<VersionDetailJson> {
  const v = await data.api.artifact(ref);
  const lineage = await v.lineage();
  const producer = v.producer;
  const caller = producer?.caller;
  return {
    ...(v.toJSON() as Omit<VersionDetailJson, 'ref' | 'uses' | 'usedBy' | 'history' | 'links'>), ref: v.ref, uses: lineage.uses, usedBy: lineage.usedBy, history: await v.history(),
    links: {
      producer: producer ? workflowUiUrl(producer.workflowId, producer.runId) ?? null : null,
      caller: caller ? workflowUiUrl(caller.workflowId, caller.runId) ?? null : null,
    },
  };
}


/** The files and folders directly under `prefix` (`''` or `a/b/`), folders with their file count and size. */
export async function folderListing(data: UiData, ref: string, prefix: string): Promise<FolderJson> {
  const v = await data.api.artifact(ref);
  const rows = new Map<string, FolderRow | FileRow>();
  let more = 0;
  for await (const e of v.entries()) {
    if (!e.path.startsWith(prefix)) {
      // Entries come in path order, so those under the prefix are one run: past it, nothing more is ours.
      if (rows.size > 0 || more > 0) break;
      continue;
    }
    const rest = e.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const row = rows.get(name);
    if (row?.kind === 'folder') {
      row.files += 1;
      row.size += e.size;
    } else if (rows.size >= MAX_ROWS) more += 1;
    else rows.set(name, slash < 0 ? { kind: 'file', name, path: e.path, size: e.size, digest: e.digest, ref: e.ref ?? null } : { kind: 'folder', name, files: 1, size: e.size });
  }
  return { ref: v.ref, prefix, rows: [...rows.values()], more };
}

function diffRow(d: DiffEntry): DiffRow {
  if (d.kind === 'added') return { kind: d.kind, path: d.path, after: d.after.size, digest: d.after.digest };
  if (d.kind === 'removed') return { kind: d.kind, path: d.path, before: d.before.size, digest: d.before.digest };
  return { kind: d.kind, path: d.path, before: d.before.size, after: d.after.size, digest: d.after.digest };
}

/** What changed from `from` to `to`, read through the manifest tree diff (only the chunks that differ). */
export async function versionDiff(data: UiData, from: string, to: string): Promise<DiffJson> {
  const [a, b]: ArtifactVersion[] = await Promise.all([data.api.artifact(from), data.api.artifact(to)]);
  const diff = await b!.diff(a!);
  return {
    from: diff.from, to: diff.to, summary: diff.summary, chunksRead: diff.chunksRead,
    entries: diff.entries.slice(0, MAX_ROWS).map(diffRow), more: Math.max(0, diff.entries.length - MAX_ROWS),
  };
}
