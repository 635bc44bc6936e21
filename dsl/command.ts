/**
 * Turns a step's `run` into an argv and environment without ever splicing an expression value into shell
 * text: in an argv list each item is rendered on its own (a value stays one argument, whatever it contains);
 * in a shell string each `${{ ... }}` becomes a reference to an environment variable holding the value, quoted
 * for where it stands (see shell.ts), so the shell reads it as exactly one word. Pure code: the interpreter
 * workflow calls it.
 */
import { evaluate, ExpressionError, parseTemplate, renderTemplate, type Context, type Expr } from './expressions';
import { emptyRecord } from './records';
import { placeInShell } from './shell';
import type { ShardPiece } from '../workflows/fan-out-types';

export interface RenderedCommand {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export function renderCommand(run: readonly (string | number | boolean)[] | string, ctx: Context): RenderedCommand {
  if (typeof run !== 'string') {
    return { argv: run.map((item) => (typeof item === 'string' ? String(renderTemplate(item, ctx)) : String(item))), env: {} };
  }
  const segments = parseTemplate(run);
  const placements = placeInShell(segments);
  const env: Record<string, string> = {};
  let script = '';
  for (const seg of segments) {
    if ('text' in seg) {
      script += seg.text;
      continue;
    }
    const index = Object.keys(env).length;
    const placement = placements[index]!;
    if ('problem' in placement) throw new ExpressionError(`\${{ ${seg.source} }} cannot be one word of the shell string: ${placement.problem}`, seg.offset);
    const name = `ARTIFACTS_EXPR_${index}`;
    env[name] = String(evaluate(seg.expr, ctx));
    script += placement.quoting === 'double' ? `\${${name}}` : `"\${${name}}"`;
  }
  return { argv: ['/bin/sh', '-c', script], env };
}

/** Renders every string value of a mapping (env, metadata) through templates. */
export function renderValues(values: Readonly<Record<string, unknown>> | undefined, ctx: Context): Record<string, string> {
  const out = emptyRecord<string>();
  for (const [k, v] of Object.entries(values ?? {})) out[k] = typeof v === 'string' ? String(renderTemplate(v, ctx)) : String(v);
  return out;
}

/**
 * A fan-out step's argv item or env value as pieces: literal text and evaluated expressions, with each
 * `${{ shard.* }}` and `${{ outputs }}` left as a piece the worker running the shard fills in. Values are never
 * marked up as placeholders, so nothing in them is replaced later.
 */
export function renderShardArg(value: string | number | boolean, ctx: Context): ShardPiece[] {
  if (typeof value !== 'string') return [String(value)];
  return parseTemplate(value).map((seg): ShardPiece => {
    if ('text' in seg) return seg.text;
    const field = shardFieldOf(seg.expr);
    return field ? { shard: field } : String(evaluate(seg.expr, ctx));
  });
}

function shardFieldOf(expr: Expr): Exclude<ShardPiece, string>['shard'] | undefined {
  if (expr.kind !== 'path') return undefined;
  const [root, field, ...rest] = expr.path;
  if (root === 'outputs' && field === undefined) return 'output';
  if (root === 'shard' && rest.length === 0 && (field === 'index' || field === 'count' || field === 'item')) return field;
  return undefined;
}
