import type { DiffJson, DiffRow } from '../../ui/api-types';
import { useApi } from '../api';
import { formatBytes } from '../format';
import { Pending } from '../parts/status';
import { href } from '../routes';

const MARK: Readonly<Record<DiffRow['kind'], string>> = { added: '+', removed: '−', modified: '~' };

function sizes(d: DiffRow): string {
  if (d.kind === 'added') return formatBytes(d.after ?? 0);
  if (d.kind === 'removed') return formatBytes(d.before ?? 0);
  return `${formatBytes(d.before ?? 0)} → ${formatBytes(d.after ?? 0)}`;
}

/** What changed between two versions, computed on the server by the manifest tree diff. */
export function DiffPage({ from, to }: { from: string; to: string }) {
  const loaded = useApi<DiffJson>('diff', { from, to });
  const d = loaded.data;
  if (!d) return <Pending loaded={loaded} />;
  const s = d.summary;
  return (
    <section>
      <h1><a href={href.version(d.from)}>{d.from}</a> → <a href={href.version(d.to)}>{d.to}</a></h1>
      <p id="diff-summary">
        <span class="added">+{s.added} added ({formatBytes(s.addedBytes)})</span>
        <span class="removed">−{s.removed} removed ({formatBytes(s.removedBytes)})</span>
        <span class="modified">~{s.modified} modified</span>
        <span class="muted">{d.chunksRead} manifest chunks read</span>
      </p>
      <table id="diff">
        <thead><tr><th></th><th>Path</th><th>Size</th></tr></thead>
        <tbody>
          {d.entries.map((e) => (
            <tr key={e.path} class={e.kind}>
              <td class="mark">{MARK[e.kind]}</td>
              <td class="mono">{e.path}</td>
              <td class="num">{sizes(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {d.more > 0 && <p class="muted">… and {d.more} more changes</p>}
      {d.entries.length === 0 && <p class="muted">The two versions hold the same files.</p>}
    </section>
  );
}
