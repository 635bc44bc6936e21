/** The page's files, bundled at build time into dist/ui-assets (scripts/bundle-ui.mjs): nothing comes from a CDN. */
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.map': 'application/json',
};

/** Where the build put the bundle: beside this module's compiled folder (dist/ui -> dist/ui-assets). */
export const ASSETS_DIR = path.join(__dirname, '..', 'ui-assets');

/** Serves `/` as the page and the few bundled files by their exact names; anything else is not ours. */
export function serveAsset(res: ServerResponse, pathname: string, dir = ASSETS_DIR): boolean {
  const name = pathname === '/' ? 'index.html' : pathname.slice(1);
  if (!/^[a-z0-9-]+\.(html|js|css|svg|map)$/.test(name)) return false;
  const file = path.join(dir, name);
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    if (name === 'index.html') throw new Error(`The UI bundle is missing (${file}); run \`npm run build\` to make it.`);
    return false;
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(name)] ?? 'application/octet-stream', 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
  res.end(body);
  return true;
}
