import Ajv, { type ErrorObject } from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import schema from '../schemas/pipeline.schema.json';
import { checkPipeline } from './check';
import { findDuplicateKeys } from './duplicate-keys';
import type { Pipeline } from './pipeline.generated';
import { didYouMean, formatPath, PipelineError, renderProblems, type Problem } from './problems';
import { SourceMap } from './source-map';

export interface LoadedPipeline {
  readonly file: string;
  readonly source: string;
  readonly pipeline: Pipeline;
}

export type LoadResult = { readonly ok: true; readonly value: LoadedPipeline } | { readonly ok: false; readonly problems: readonly Problem[]; readonly rendered: string };

/**
 * The largest pipeline file read. A run carries its validated pipeline whole as its workflow's input, and
 * Temporal refuses inputs over 2 MB; a file over this cannot run, so it is refused before it is parsed.
 */
export const MAX_PIPELINE_BYTES = 1024 * 1024;

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validateSchema = ajv.compile<Pipeline>(schema);

/** Reads a pipeline file; a read error names the file even where Node's does not (EISDIR). */
function readSource(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw Object.assign(err as Error, { path: file });
  }
}

/** Parses and validates a pipeline file, returning every problem at once instead of throwing. */
export function safeLoadPipeline(file: string, given?: string): LoadResult {
  const shown = path.relative(process.cwd(), file) || file;
  const size = given === undefined ? fs.statSync(file).size : Buffer.byteLength(given);
  if (size > MAX_PIPELINE_BYTES) return tooLarge(shown, size);
  const source = given ?? readSource(file);
  const lines = new LineCounter();
  // uniqueKeys off: the library's check is quadratic; findDuplicateKeys does it in one pass.
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const map = new SourceMap(doc, lines);
  const problems: Problem[] = [];
  const add = (code: string, docPath: readonly (string | number)[], message: string, span = map.at(docPath)): void => {
    problems.push({ code, path: formatPath(docPath), message, file: shown, line: span.line, col: span.col, length: span.length });
  };
  for (const err of doc.errors) {
    const span = map.span(err.pos[0], err.pos[1]);
    add('yaml-syntax', [], err.message.split('\n')[0]!, span);
  }
  for (const dup of findDuplicateKeys(doc, map)) {
    add('duplicate-key', dup.path, `duplicate key "${dup.key}" ${dup.path.length > 0 ? `in ${formatPath(dup.path)}` : "at the top level"}: it was first given on line ${dup.firstLine}; give each key once`, dup.span);
  }
  let data: unknown;
  if (problems.length === 0) {
    data = doc.toJS();
    if (!validateSchema(data)) {
      for (const err of dedupe(validateSchema.errors ?? [])) schemaProblem(err, add, map);
    } else {
      checkPipeline(data, { add, map });
    }
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  if (problems.length > 0) return { ok: false, problems, rendered: renderProblems(problems, source) };
  return { ok: true, value: { file: path.resolve(file), source, pipeline: data as Pipeline } };
}

function tooLarge(shown: string, size: number): LoadResult {
  const problem: Problem = {
    code: 'too-large', path: '(document)', file: shown, line: 1, col: 1, length: 1,
    message: `the file is ${size} bytes; a pipeline file may be at most ${MAX_PIPELINE_BYTES} bytes (1 MiB), because a run carries it whole in its workflow's input. Keep data in files or artifacts the steps read, not in the pipeline`,
  };
  return { ok: false, problems: [problem], rendered: `${shown}:1:1: error: ${problem.message} [too-large]\n1 problem in ${shown}` };
}

/** Like safeLoadPipeline, but throws a PipelineError whose message is the compiler-style report. */
export function loadPipeline(file: string, source?: string): LoadedPipeline {
  const result = safeLoadPipeline(file, source);
  if (!result.ok) throw new PipelineError(result.problems, result.rendered);
  return result.value;
}

type Add = (code: string, docPath: readonly (string | number)[], message: string, span?: ReturnType<SourceMap['at']>) => void;

function pointerPath(pointer: string): (string | number)[] {
  return pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function schemaProblem(err: ErrorObject, add: Add, map: SourceMap): void {
  const at = pointerPath(err.instancePath);
  const where = at.length === 0 ? 'the pipeline' : formatPath(at);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((err.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
      const guess = didYouMean(key, allowed);
      const hint = guess ? ` (did you mean "${guess}"?)` : allowed.length ? `; expected one of: ${allowed.join(', ')}` : '';
      add('unknown-key', [...at, key], `unknown key "${key}" ${at.length === 0 ? 'at the top level' : `in ${where}`}${hint}`, map.at([...at, key], true));
      return;
    }
    case 'required':
      add('missing-key', at, `${where} needs "${(err.params as { missingProperty: string }).missingProperty}"`);
      return;
    case 'enum':
      add('schema', at, `${where} must be one of ${((err.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(err.data)}`);
      return;
    case 'const':
      add('schema', at, `${where} must be ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)}, not ${JSON.stringify(err.data)}`);
      return;
    case 'pattern':
      add('schema', at, `${where} ${JSON.stringify(err.data)} does not match ${(err.params as { pattern: string }).pattern}${/Duration/.test(err.schemaPath) ? ' (write a duration such as 30s, 5m or 2h)' : ''}`);
      return;
    case 'propertyNames':
      add('schema', at, `${where} has an invalid name ${JSON.stringify((err.params as { propertyName: string }).propertyName)}: use letters, digits, "_" and "-", starting with a letter`);
      return;
    case 'type':
      add('schema', at, `${where} must be ${String((err.params as { type: string | string[] }).type).replace(/,/g, ' or ')}, not ${describe(err.data)}`);
      return;
    case 'oneOf':
      add('schema', at, `${where} must be an argv list such as [node, train.mjs] or a shell command string, not ${describe(err.data)}`);
      return;
    default:
      add('schema', at, `${where} ${err.message ?? 'is invalid'}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** ajv reports a oneOf failure plus each branch's own complaint; keep the one a person can act on. */
function dedupe(errors: readonly ErrorObject[]): ErrorObject[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'oneOf' || !oneOfPaths.has(e.instancePath) || e.keyword === 'additionalProperties');
}
