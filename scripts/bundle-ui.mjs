// Bundles the `artifacts ui` pages (web/) into dist/ui-assets: one script (preact, dagre and the pages, minified),
// one stylesheet and the HTML shell. Everything the browser loads comes from here; nothing from a CDN.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'ui-assets');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [path.join(root, 'web', 'main.tsx')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
});
fs.copyFileSync(path.join(root, 'web', 'style.css'), path.join(out, 'app.css'));
fs.copyFileSync(path.join(root, 'web', 'index.html'), path.join(out, 'index.html'));
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`bundled ui -> dist/ui-assets/app.js (${Math.round(bytes / 1024)} KiB)`);
