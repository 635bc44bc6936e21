import { article, matchesType } from './check';
import type { Pipeline } from './pipeline.generated';
import { didYouMean } from './problems';
import { emptyRecord, own } from './records';
import { UsageError } from '../errors';

export type ParamValues = Record<string, string | number | boolean>;

/**
 * Resolves param values: defaults, overridden by `--param name=value` strings converted to the declared type.
 * Every bad override is reported at once (unknown name, wrong type, missing value for a param without default).
 */
export function resolveParams(pipeline: Pipeline, overrides: Readonly<Record<string, string>>, file: string): ParamValues {
  const declared = pipeline.params ?? {};
  const values: ParamValues = emptyRecord();
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(overrides)) {
    const param = own(declared, name);
    if (!param) {
      const guess = didYouMean(name, Object.keys(declared));
      problems.push(`--param ${name}: ${file} declares no param "${name}"${guess ? ` (did you mean "${guess}"?)` : Object.keys(declared).length ? `; params are ${Object.keys(declared).join(', ')}` : ''}`);
      continue;
    }
    const value = convert(raw, param.type);
    if (value === undefined) problems.push(`--param ${name}=${raw}: expected ${article(param.type)}`);
    else values[name] = value;
  }
  for (const [name, param] of Object.entries(declared)) {
    if (Object.hasOwn(values, name) || problems.some((p) => p.startsWith(`--param ${name}`))) continue;
    if (param.default === undefined) problems.push(`param "${name}" has no default: pass --param ${name}=<${param.type}>`);
    else values[name] = param.default;
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return values;
}

function convert(raw: string, type: string): string | number | boolean | undefined {
  if (type === 'string') return raw;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) return undefined;
  return matchesType(n, type) ? n : undefined;
}
