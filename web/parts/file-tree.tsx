import { useState } from 'preact/hooks';
import type { FileRow, FolderJson } from '../../ui/api-types';
import { useApi } from '../api';
import { digestText, formatBytes, shortDigest } from '../format';
import { href } from '../routes';
import { Pending } from './status';

/** One folder of a version's files; a folder opens in place, loading only its own children. */
export function FileTree({ ref_, prefix = '' }: { ref_: string; prefix?: string }) {
  const loaded = useApi<FolderJson>('files', { ref: ref_, prefix });
  if (!loaded.data) return <Pending loaded={loaded} />;
  return (
    <ul class="tree">
      {loaded.data.rows.map((row) => (row.kind === 'folder'
        ? <Folder key={row.name} ref_={ref_} path={`${prefix}${row.name}/`} name={row.name} files={row.files} size={row.size} />
        : <File key={row.name} ref_={ref_} row={row} />))}
      {loaded.data.more > 0 && <li class="muted">… and {loaded.data.more} more entries</li>}
    </ul>
  );
}

function Folder({ ref_, path, name, files, size }: { ref_: string; path: string; name: string; files: number; size: number }) {
  const [open, setOpen] = useState(false);
  return (
    <li class="folder">
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? '▾' : '▸'} {name}/</button>
      <span class="muted"> {files} files, {formatBytes(size)}</span>
      {open && <FileTree ref_={ref_} prefix={path} />}
    </li>
  );
}

function File({ ref_, row }: { ref_: string; row: FileRow }) {
  return (
    <li class="file">
      <span class="name">{row.name}</span>
      <span class="size">{formatBytes(row.size)}</span>
      <span class="mono" title={digestText(row.digest)}>{row.ref ? row.ref : shortDigest(row.digest)}</span>
      <a class="download" href={href.file(ref_, row.path)} download={row.name}>download</a>
    </li>
  );
}
