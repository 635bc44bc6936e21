import { useState } from 'preact/hooks';
import type { VersionListJson } from '../../ui/api-types';
import { useApi } from '../api';
import { digestText, formatBytes, shortDigest, when } from '../format';
import { Pending } from '../parts/status';
import { href } from '../routes';

/** One name's versions, newest first; two picked versions open their diff. */
export function ArtifactPage({ name }: { name: string }) {
  const loaded = useApi<VersionListJson>('versions', { name });
  const [from, setFrom] = useState<string | undefined>();
  const [to, setTo] = useState<string | undefined>();
  if (!loaded.data) return <Pending loaded={loaded} />;
  const versions = loaded.data.versions;
  const older = from ?? versions[1]?.ref;
  const newer = to ?? versions[0]?.ref;
  return (
    <section>
      <h1>{name}</h1>
      {older && newer && older !== newer && <p><a id="compare" href={href.diff(older, newer)}>Compare {older} → {newer}</a></p>}
      <table id="versions">
        <thead><tr><th>From</th><th>To</th><th>Version</th><th>Files</th><th>Size</th><th>Digest</th><th>Aliases</th><th>Created</th></tr></thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.ref}>
              <td><input type="radio" name="from" checked={v.ref === older} onChange={() => setFrom(v.ref)} aria-label={`diff from ${v.ref}`} /></td>
              <td><input type="radio" name="to" checked={v.ref === newer} onChange={() => setTo(v.ref)} aria-label={`diff to ${v.ref}`} /></td>
              <td><a href={href.version(v.ref)}>{v.version}</a></td>
              <td class="num">{v.files}</td>
              <td class="num">{formatBytes(v.size)}</td>
              <td class="mono" title={digestText(v.digest)}>{shortDigest(v.digest)}</td>
              <td>{v.aliases.map((a) => <span class="badge" key={a}>{a}</span>)}</td>
              <td>{when(v.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
