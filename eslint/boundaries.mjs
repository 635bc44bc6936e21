// Import boundaries as allowlists. Each layer (a top-level folder) says what its files may import; an import not
// on its list fails lint, so a new module has to be placed deliberately instead of slipping past a denylist.
// Type-only imports are erased by the compiler, so a layer may read types from a wider set (`types`).
//
// An entry ending in '/' is a folder of this repository (it also matches the folder's index: '../activities');
// one without is a single module or an npm package (a scope like '@aws-sdk/' matches all of it); 'node:' is
// every Node built-in, spelt with or without the prefix.
import { builtinModules } from 'node:module';
import path from 'node:path';

const NODE = 'node:';
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `${NODE}${m}`)]);

/** What each layer may import. Folders not listed here (tests, benches, scripts) are not fenced. */
export const LAYERS = {
  // Sandboxed and deterministic: the workflow SDK, pure modules, and types from anywhere.
  workflows: {
    values: ['workflows/', 'errors/', 'dsl/expressions', 'dsl/command', 'dsl/shell', 'dsl/records', 'dsl/reserved', 'store/registry/ref', '@temporalio/workflow', '@temporalio/common'],
    types: ['*'],
  },
  errors: { values: ['errors/', '@temporalio/common'] },
  // Storage knows nothing of Temporal.
  store: { values: ['store/', 'errors/', NODE, '@aws-sdk/', '@smithy/', 'better-sqlite3', 'pg', '@napi-rs/blake-hash'] },
  dsl: { values: ['dsl/', 'errors/', 'schemas/', 'store/registry/ref', NODE, 'ajv', 'yaml'], types: ['activities/', 'workflows/'] },
  activities: {
    values: ['activities/', 'store/', 'errors/', 'dsl/', 'runtime/config', NODE, '@temporalio/activity', '@temporalio/common', '@temporalio/client'],
    types: ['workflows/'],
  },
  runtime: {
    values: ['runtime/', 'store/', 'errors/', 'plugin/', 'activities/', NODE, '@temporalio/worker', '@temporalio/client', '@temporalio/common'],
    types: ['workflows/'],
  },
  plugin: { values: ['plugin/', 'activities/', 'store/', 'runtime/', NODE, '@temporalio/plugin', '@temporalio/worker', '@temporalio/activity'], types: ['workflows/'] },
  // The one layer callers stand on: the user API (index.ts selects from it) and the CLI.
  client: {
    values: ['client/', 'store/', 'errors/', 'runtime/', 'plugin/', 'workflows/', 'dsl/', NODE, '@temporalio/client', '@temporalio/common'],
    types: ['*'],
  },
  // A thin entry point: arguments and output only, everything else through the client.
  cli: { values: ['cli/', 'client/', 'errors/', 'ui/', NODE] },
  // The web view's server: like the CLI, it stands on the client layer only.
  ui: { values: ['ui/', 'client/', 'errors/', NODE] },
  // The pages, bundled for the browser: the front-end libraries and the API's types, nothing of Node.
  web: { values: ['web/', 'preact', '@dagrejs/dagre'], types: ['ui/'] },
};

/** `spec` as imported from `file`: a repository path without extension, a package name, or `node:`. */
function targetOf(spec, file, root) {
  if (spec.startsWith('.')) {
    const resolved = path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
    return { repo: true, name: resolved.replace(/\.(js|ts|mjs)$/, '') };
  }
  if (BUILTINS.has(spec)) return { repo: false, name: NODE };
  const parts = spec.split('/');
  return { repo: false, name: spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] };
}

/** A package entry starts with '@' or has no '/'; anything else names a folder or module of this repository. */
const isPackageEntry = (entry) => entry.startsWith('@') || !entry.includes('/');

function allowed(target, entries) {
  return entries.some((entry) => {
    if (entry === '*') return target.repo;
    if (entry === NODE) return target.name === NODE;
    if (isPackageEntry(entry) === target.repo) return false;
    if (entry.endsWith('/')) return target.name === entry.slice(0, -1) || target.name.startsWith(entry);
    return target.name === entry;
  });
}

const isTypeOnly = (node) =>
  node.importKind === 'type' ||
  node.exportKind === 'type' ||
  (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each folder imports only what its layer allows (see ARCHITECTURE.md).' },
    schema: [],
    messages: {
      notAllowed: "'{{layer}}/' may not import '{{spec}}'{{kind}}. See ARCHITECTURE.md for who may import whom.",
    },
  },
  create(context) {
    const root = context.settings?.boundariesRoot ?? context.cwd;
    const relative = path.relative(root, context.filename).split(path.sep);
    const layerName = relative.length > 1 ? relative[0] : undefined;
    const layer = layerName ? LAYERS[layerName] : undefined;
    if (!layer) return {};
    const check = (node, source, typeOnly) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const target = targetOf(source.value, context.filename, root);
      if (allowed(target, layer.values) || (typeOnly && allowed(target, layer.types ?? []))) return;
      context.report({ node, messageId: 'notAllowed', data: { layer: layerName, spec: source.value, kind: typeOnly ? ' (even as a type)' : '' } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ImportExpression: (node) => check(node, node.source, false),
    };
  },
};

/** The plugin and the config block that turns the rule on; eslint.config.mjs and the lint test both use it. */
export const boundariesPlugin = { rules: { 'allowed-imports': rule } };
export const boundariesConfig = (root) => ({
  files: ['**/*.ts', '**/*.tsx'],
  plugins: { boundaries: boundariesPlugin },
  settings: { boundariesRoot: root },
  rules: { 'boundaries/allowed-imports': 'error' },
});
