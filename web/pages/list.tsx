import { useState } from 'preact/hooks';
import type { ArtifactListJson } from '../../ui/api-types';
import { useApi } from '../api';
import { when } from '../format';
import { Pending } from '../parts/status';
import { href } from '../routes';

/** The current project's artifact names, filtered as the user types (by name or type). */
export function ListPage() {
  const loaded = useApi<ArtifactListJson>('artifacts', {});
  const [query, setQuery] = useState('');
  if (!loaded.data) return <Pending loaded={loaded} />;
  const q = query.trim().toLowerCase();
  const rows = loaded.data.artifacts.filter((a) => !q || a.name.toLowerCase().includes(q) || a.type.toLowerCase().includes(q));
  return (
    <section>
      <h1>Artifacts</h1>
      <input id="search" type="search" placeholder="Search by name or type" value={query} onInput={(e) => setQuery(e.currentTarget.value)} aria-label="Search artifacts" />
      <table id="artifacts">
        <thead><tr><th>Name</th><th>Type</th><th>Versions</th><th>Latest</th><th>Updated</th></tr></thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.name}>
              <td><a href={href.artifact(a.name)}>{a.name}</a></td>
              <td>{a.type}</td>
              <td class="num">{a.versions}</td>
              <td><a href={href.version(`${a.name}:${a.latest}`)}>{a.latest}</a></td>
              <td>{when(a.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p class="muted">{loaded.data.artifacts.length === 0 ? 'No artifacts yet. Log one with: artifacts log PATH --name NAME --type TYPE' : 'No artifact matches.'}</p>}
    </section>
  );
}
