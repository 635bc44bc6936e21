import type { VersionDetailJson } from '../../ui/api-types';
import { useApi } from '../api';
import { digestText, formatBytes, when } from '../format';
import { FileTree } from '../parts/file-tree';
import { Pending } from '../parts/status';
import { href, safeExternal } from '../routes';

/** One version: aliases, metadata, description, who made it from what, and its files. */
export function VersionPage({ ref_ }: { ref_: string }) {
  const loaded = useApi<VersionDetailJson>('version', { ref: ref_ });
  const v = loaded.data;
  if (!v) return <Pending loaded={loaded} />;
  const producerLink = safeExternal(v.links.producer);
  const callerLink = safeExternal(v.links.caller);
  return (
    <section>
      <h1>{v.ref} <span class="muted">({v.type})</span></h1>
      <p class="actions">
        <a href={href.artifact(v.name)}>All versions</a>
        <a href={href.lineage(v.ref)}>Lineage graph</a>
        {v.base && <a href={href.diff(`${v.name}:${v.base}`, v.ref)}>Diff from base {v.base}</a>}
      </p>
      <dl class="facts">
        <dt>Aliases</dt><dd id="aliases">{v.aliases.map((a) => <span class="badge" key={a}>{a}</span>)}</dd>
        <dt>Digest</dt><dd class="mono">{digestText(v.digest)}</dd>
        <dt>Files</dt><dd>{v.files}, {formatBytes(v.size)}</dd>
        <dt>Created</dt><dd>{when(v.createdAt)}{v.expiresAt ? `, expires ${when(v.expiresAt)}` : ''}</dd>
        <dt>Description</dt><dd id="description">{v.description ?? <span class="muted">none</span>}</dd>
        <dt>Made by</dt>
        <dd id="producer">
          {v.producer ? <>workflow <span class="mono">{v.producer.workflowId}</span>{v.producer.run ? ` (run ${v.producer.run})` : ''}</> : <span class="muted">unknown</span>}
          {producerLink && <> · <a href={producerLink} rel="noreferrer noopener" target="_blank">open in Temporal UI</a></>}
          {v.producer?.caller && <div>for workflow <span class="mono">{v.producer.caller.workflowId}</span> ({v.producer.caller.workflowType}){callerLink && <> · <a href={callerLink} rel="noreferrer noopener" target="_blank">Temporal UI</a></>}</div>}
        </dd>
        <dt>Inputs</dt><dd id="inputs">{v.uses.length ? v.uses.map((u) => <a class="ref" key={u} href={href.version(u)}>{u}</a>) : <span class="muted">none recorded</span>}</dd>
        <dt>Used by</dt><dd>{v.usedBy.length ? v.usedBy.map((u) => <a class="ref" key={u} href={href.version(u)}>{u}</a>) : <span class="muted">none</span>}</dd>
      </dl>
      <h2>Metadata</h2>
      <Metadata metadata={v.metadata} />
      <h2>Files</h2>
      <FileTree ref_={v.ref} />
      {v.history.length > 0 && <>
        <h2>History</h2>
        <ul class="history">{v.history.map((h, i) => <li key={i}>{when(h.at)} {h.actor}: {h.change} {JSON.stringify(h.detail)}</li>)}</ul>
      </>}
    </section>
  );
}

/** Metadata as key and value rows: strings as they are, everything else as JSON. */
function Metadata({ metadata }: { metadata: Readonly<Record<string, unknown>> }) {
  const keys = Object.keys(metadata);
  if (keys.length === 0) return <p id="metadata" class="muted">none</p>;
  return (
    <table id="metadata">
      <tbody>
        {keys.map((k) => {
          const value = metadata[k];
          return <tr key={k}><th class="mono">{k}</th><td>{typeof value === 'string' ? value : <pre>{JSON.stringify(value, null, 2)}</pre>}</td></tr>;
        })}
      </tbody>
    </table>
  );
}
