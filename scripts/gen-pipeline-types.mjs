// Derives the pipeline's TypeScript types from schemas/pipeline.schema.json, the single source of truth.
// Run by `npm run build`; `--check` fails if the committed file is stale (the DSL test runs it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let compile;
try {
  ({ compile } = await import('json-schema-to-typescript'));
} catch {
  // Installed without dev dependencies: the committed file is used as it is.
  process.exit(0);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas', 'pipeline.schema.json'), 'utf8'));
const out = path.join(root, 'dsl', 'pipeline.generated.ts');
const banner = '/* Generated from schemas/pipeline.schema.json by scripts/gen-pipeline-types.mjs: edit the schema, not this file. */';
const code = await compile(schema, 'Pipeline', { bannerComment: banner, additionalProperties: false, unreachableDefinitions: true, style: { singleQuote: true, printWidth: 120 } });
if (process.argv.includes('--check')) {
  if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== code) {
    console.error('dsl/pipeline.generated.ts is stale: run `node scripts/gen-pipeline-types.mjs`');
    process.exit(1);
  }
} else if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== code) {
  fs.writeFileSync(out, code);
}
