/**
 * `/api/file?ref=R&path=P`: one file of a version, as a download (never rendered by the browser). Its bytes are
 * checked against the entry's digest as they stream (client `VersionEntry`): a mismatch aborts the response, so the
 * browser reports a failed download instead of saving wrong bytes. The digest travels in `X-Artifacts-Digest`.
 */
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { sendError } from './http';
import { statusOf } from './routes';
import type { UiData } from './ui-data';

export const FILE_ROUTE = '/api/file';

/** A file name for Content-Disposition: the last path part, ASCII-safe, and the exact name RFC 5987-encoded. */
function disposition(entryPath: string): string {
  const base = entryPath.slice(entryPath.lastIndexOf('/') + 1) || 'file';
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

export async function sendFile(data: UiData, url: URL, res: ServerResponse): Promise<void> {
  const ref = url.searchParams.get('ref');
  const entryPath = url.searchParams.get('path');
  if (!ref || !entryPath) return sendError(res, 400, 'Give ref and path: /api/file?ref=NAME:vN&path=FILE.');
  let entry;
  try {
    entry = await (await data.api.artifact(ref)).getEntry(entryPath);
  } catch (err) {
    return sendError(res, statusOf(err), err instanceof Error ? err.message : String(err));
  }
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream', 'Content-Length': entry.size, 'Content-Disposition': disposition(entry.path),
    'X-Artifacts-Digest': entry.digest, 'Cache-Control': 'no-store',
  });
  // A failed check destroys the response mid-body: the browser sees a broken download, never a complete wrong file.
  await pipeline(entry.open(), res).catch(() => res.destroy());
}
