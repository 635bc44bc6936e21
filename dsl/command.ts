/**
 * Turns a step's `run` into an argv and environment without ever splicing an expression value into shell
 * text: in an argv list each item is rendered on its own (a value stays one argument, whatever it contains);
 * in a shell string each `${{ ... }}` becomes a quoted reference to an environment variable holding the value.
 * Pure code: the interpreter workflow calls it.
 */
import { evaluate, parseTemplate, renderTemplate, type Context } from './expressions';

export interface RenderedCommand {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export function renderCommand(run: readonly (string | number | boolean)[] | string, ctx: Context): RenderedCommand {
  if (typeof run !== 'string') {
    return { argv: run.map((item) => (typeof item === 'string' ? String(renderTemplate(item, ctx)) : String(item))), env: {} };
  }
  const env: Record<string, string> = {};
  let script = '';
  for (const seg of parseTemplate(run)) {
    if ('text' in seg) {
      script += seg.text;
      continue;
    }
    const name = `ARTIFACTS_EXPR_${Object.keys(env).length}`;
    env[name] = String(evaluate(seg.expr, ctx));
    script += `"$${name}"`;
  }
  return { argv: ['/bin/sh', '-c', script], env };
}

/** Renders every string value of a mapping (env, metadata) through templates. */
export function renderValues(values: Readonly<Record<string, unknown>> | undefined, ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values ?? {})) out[k] = typeof v === 'string' ? String(renderTemplate(v, ctx)) : String(v);
  return out;
}
