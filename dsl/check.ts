import { hasExpressions, parseTemplate, pathsOf, ExpressionError } from './expressions';
import { own } from './records';
import { checkCycles, Dependencies } from './step-graph';
import { placeInShell } from './shell';
import type { Pipeline, Step } from './pipeline.generated';
import { didYouMean, formatPath } from './problems';
import { isLibraryActivity, libraryActivityMessage, PIPELINE_METADATA_KEY } from './reserved';
import type { SourceMap, Span } from './source-map';
import { checkAlias, parseRef } from '../store/registry/ref';

type Add = (code: string, docPath: readonly (string | number)[], message: string, span?: Span) => void;
type Path = readonly (string | number)[];

/** What each expression root offers; `steps.<id>.` fields are the outputs a step publishes. */
const STEP_OUTPUTS = ['version', 'ref', 'digest', 'skipped', 'exitCode', 'artifact', 'result'];
const SHARD_FIELDS = ['index', 'count', 'item'];
const ROOTS = ['params', 'steps', 'shard', 'run', 'outputs', 'inputs', 'trigger'];

/** Where in a step `${{ }}` is evaluated; anywhere else it would stay literal text, so it is refused. */
const EVALUATED: readonly (readonly string[])[] = [
  ['run'], ['env'], ['workdir'], ['when'], ['uses'], ['activity', 'args'], ['fanOut', 'count'], ['fanOut', 'items'],
  ['produces', 'type'], ['produces', 'from'], ['produces', 'aliases'], ['produces', 'description'], ['produces', 'metadata'],
  ['produces', 'files'], ['produces', 'add'], ['produces', 'remove'],
];

/** The checks a schema cannot express: references between steps, cycles, expressions, refs, producers. */
export function checkPipeline(pipeline: Pipeline, ctx: { add: Add; map: SourceMap }): void {
  const { add } = ctx;
  const ids = Object.keys(pipeline.steps);
  const params = pipeline.params ?? {};
  for (const [name, param] of Object.entries(params)) {
    if (param.default !== undefined && !matchesType(param.default, param.type)) {
      add('param-type', ['params', name, 'default'], `params.${name}.default must be ${article(param.type)}, not ${JSON.stringify(param.default)}`);
    }
  }
  for (const [id, step] of Object.entries(pipeline.steps)) {
    (step.needs ?? []).forEach((need, i) => {
      if (!own(pipeline.steps, need)) {
        const guess = didYouMean(need, ids);
        add('unknown-step', ['steps', id, 'needs', i], `step "${id}" needs "${need}", which is not a step${guess ? ` (did you mean "${guess}"?)` : `; steps are: ${ids.join(', ')}`}`);
      }
    });
  }
  checkCycles(pipeline, add);
  const producers = new Map<string, string>();
  const dependencies = new Dependencies(pipeline);
  for (const [id, step] of Object.entries(pipeline.steps)) {
    checkStepShape(id, step, add);
    checkRefs(id, step, add);
    checkShell(id, step, ctx);
    const mode = step.produces?.mode ?? (step.fanOut ? 'collaborative' : 'simple');
    if (step.produces && mode === 'collaborative') {
      const prior = producers.get(step.produces.artifact);
      if (prior) add('duplicate-producer', ['steps', id, 'produces', 'artifact'], `steps "${prior}" and "${id}" both produce collaborative artifact "${step.produces.artifact}"; one version needs one producer: merge them into one fan-out step, or produce two artifacts`);
      else producers.set(step.produces.artifact, id);
    }
    forEachString(step, ['steps', id], (value, at) => checkExpressions(value, at, { pipeline, id, step, dependencies, add, map: ctx.map }));
    checkItemsFrom(id, step, pipeline, dependencies, add);
  }
}

function checkStepShape(id: string, step: Step, add: Add): void {
  const at = ['steps', id];
  const mode = step.produces?.mode ?? (step.fanOut ? 'collaborative' : 'simple');
  if (step.run !== undefined && step.activity !== undefined) add('both-commands', at, `step "${id}" has both "run" and "activity"; give one`);
  if (step.activity && isLibraryActivity(step.activity.name)) add('library-activity', [...at, 'activity', 'name'], libraryActivityMessage(id, step.activity.name));
  if (step.run === undefined && step.activity === undefined && !(step.produces && mode === 'incremental')) {
    add('no-command', at, `step "${id}" has nothing to do: give it "run" (a command) or "activity"`);
  }
  if (step.fanOut) {
    const given = [step.fanOut.count, step.fanOut.items, step.fanOut.itemsFrom].filter((v) => v !== undefined).length;
    if (given !== 1) add('fan-out', [...at, 'fanOut'], `fanOut of step "${id}" needs exactly one of "count", "items" and "itemsFrom"`);
    if (typeof step.run === 'string') add('fan-out', [...at, 'run'], `step "${id}" fans out, so its run must be an argv list such as [node, eval.mjs, --shard, "\${{ shard.index }}"]`);
    if (typeof step.fanOut.count === 'number' && step.fanOut.count < 1) add('fan-out', [...at, 'fanOut', 'count'], `fanOut.count of step "${id}" must be at least 1`);
    if (step.produces && mode !== 'collaborative') add('fan-out', [...at, 'produces', 'mode'], `step "${id}" fans out, so its shards produce one collaborative version; set mode: collaborative (or leave it out)`);
  }
  const p = step.produces;
  if (!p) return;
  if (mode === 'collaborative' && !step.fanOut) {
    add('mode', [...at, 'produces', 'mode'], `step "${id}" produces in collaborative mode without a fanOut, so one run would write the whole version: add fanOut (count or items) to merge many shards into one version, or use mode: simple`);
  }
  if (p.metadata && Object.hasOwn(p.metadata, PIPELINE_METADATA_KEY)) {
    add('reserved-key', [...at, 'produces', 'metadata', PIPELINE_METADATA_KEY], `metadata key "${PIPELINE_METADATA_KEY}" is where the pipeline records the pipeline, step and run of a version; rename this key`);
  }
  if (mode !== 'incremental' && !p.type) add('missing-key', [...at, 'produces'], `produces of step "${id}" needs "type" (such as dataset, model or predictions)`);
  if (mode === 'incremental' && !p.from) add('missing-key', [...at, 'produces'], `incremental produces of step "${id}" needs "from" (such as ${p.artifact}:latest)`);
  if (mode !== 'incremental') {
    for (const key of ['from', 'add', 'remove'] as const) {
      if (p[key] !== undefined) add('mode', [...at, 'produces', key], `"${key}" is for mode: incremental; step "${id}" produces in ${mode} mode`);
    }
  }
  (p.aliases ?? []).forEach((alias, i) => {
    if (hasExpressions(alias)) return;
    try {
      checkAlias(alias);
    } catch (err) {
      add('bad-alias', [...at, 'produces', 'aliases', i], (err as Error).message);
    }
  });
}

/** A dynamic fan-out reads the version of a step that runs before it. */
function checkItemsFrom(id: string, step: Step, pipeline: Pipeline, dependencies: Dependencies, add: Add): void {
  const from = step.fanOut?.itemsFrom;
  if (!from) return;
  const at = ['steps', id, 'fanOut', 'itemsFrom', 'step'];
  if (!own(pipeline.steps, from.step)) {
    const guess = didYouMean(from.step, Object.keys(pipeline.steps));
    add('unknown-step', at, `fanOut.itemsFrom of step "${id}" names "${from.step}", which is not a step${guess ? ` (did you mean "${guess}"?)` : ''}`);
  } else if (!dependencies.needs(id, from.step)) {
    add('step-not-needed', at, `step "${id}" fans out over a file of step "${from.step}" but does not need it; add "${from.step}" to its needs`);
  } else if (!own(pipeline.steps, from.step)!.produces) {
    add('fan-out', at, `step "${from.step}" makes no version for step "${id}" to read its items from; give it a produces`);
  }
}

function checkRefs(id: string, step: Step, add: Add): void {
  const refs: [string, Path][] = (step.uses ?? []).map((r, i) => [r, ['steps', id, 'uses', i]]);
  if (step.produces?.from) refs.push([step.produces.from, ['steps', id, 'produces', 'from']]);
  for (const [ref, at] of refs) {
    if (hasExpressions(ref)) continue;
    try {
      parseRef(ref);
    } catch (err) {
      add('bad-ref', at, (err as Error).message);
    }
  }
}

/** Every expression in a shell-form run must be able to stand as one word where it is written. */
function checkShell(id: string, step: Step, ctx: { add: Add; map: SourceMap }): void {
  if (typeof step.run !== 'string' || !hasExpressions(step.run)) return;
  let segments;
  try {
    segments = parseTemplate(step.run);
  } catch {
    return; // reported with the other malformed expressions
  }
  const at = ['steps', id, 'run'];
  const placements = placeInShell(segments);
  let index = 0;
  for (const seg of segments) {
    if (!('expr' in seg)) continue;
    const placement = placements[index++]!;
    if (!('problem' in placement)) continue;
    const written = `\${{ ${seg.source} }}`;
    ctx.add('shell-quoting', at, `${written} in the shell command of step "${id}" cannot be passed as one word: ${placement.problem} (or use an argv list: run: [cmd, "${written}"])`, ctx.map.inside(at, seg.offset, seg.source.length + 6));
  }
}

interface ExprContext { pipeline: Pipeline; id: string; step: Step; dependencies: Dependencies; add: Add; map: SourceMap }

function checkExpressions(value: string, at: Path, ctx: ExprContext): void {
  if (!hasExpressions(value)) return;
  let segments;
  try {
    segments = parseTemplate(value);
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    ctx.add('bad-expression', at, `malformed expression in ${JSON.stringify(value)}: ${err.message}`, ctx.map.inside(at, err.offset, 1));
    return;
  }
  const rel = at.slice(2);
  if (!EVALUATED.some((prefix) => prefix.every((key, i) => rel[i] === key))) {
    const first = segments.find((s) => 'expr' in s);
    ctx.add('not-evaluated', at, `${formatPath(at)} is used as written, so an expression there would stay literal text; write the value itself`, first && 'offset' in first ? ctx.map.inside(at, first.offset, first.source.length + 6) : undefined);
    return;
  }
  // A shard's own values are filled in on the worker that runs it, so they stand alone, where they are filled.
  const shardCommand = ctx.step.fanOut !== undefined && (rel[0] === 'run' || rel[0] === 'env');
  for (const seg of segments) {
    if (!('expr' in seg)) continue;
    const span = ctx.map.inside(at, seg.offset, seg.source.length + 6);
    const perShard = ctx.step.fanOut !== undefined && pathsOf(seg.expr).some((p) => p[0] === 'shard' || p[0] === 'outputs');
    if (perShard && (!shardCommand || seg.expr.kind !== 'path')) {
      ctx.add('shard-value', at, `"${seg.source}" differs from shard to shard, so in step "${ctx.id}" it may only stand alone in run or env, as in "--shard=\${{ shard.index }}"`, span);
      continue;
    }
    for (const p of pathsOf(seg.expr)) {
      const problem = checkPath(p, ctx);
      if (problem) ctx.add(problem[0], at, problem[1], span);
    }
  }
}

function checkPath(p: readonly string[], ctx: ExprContext): [string, string] | undefined {
  const [root, name, field] = p;
  const text = p.join('.');
  if (!ROOTS.includes(root!)) {
    const guess = didYouMean(root!, ROOTS);
    return ['unknown-name', `"${text}" is not defined${guess ? ` (did you mean "${guess}"?)` : `; expressions read ${ROOTS.join(', ')}`}`];
  }
  if (root === 'params') {
    const declared = Object.keys(ctx.pipeline.params ?? {});
    if (!name || !declared.includes(name)) {
      const guess = name ? didYouMean(name, declared) : undefined;
      return ['undefined-param', `param "${name ?? ''}" is not declared under params${guess ? ` (did you mean "${guess}"?)` : ''}`];
    }
  }
  if (root === 'steps') {
    if (!name || !own(ctx.pipeline.steps, name)) return ['unknown-step', `"${text}" names no step${name && didYouMean(name, Object.keys(ctx.pipeline.steps)) ? ` (did you mean "${didYouMean(name, Object.keys(ctx.pipeline.steps))}"?)` : ''}`];
    if (!ctx.dependencies.needs(ctx.id, name)) return ['step-not-needed', `step "${ctx.id}" reads steps.${name} but does not need it; add "${name}" to its needs`];
    if (!field || !STEP_OUTPUTS.includes(field)) return ['unknown-name', `steps.${name} has no output "${field ?? ''}"; outputs are ${STEP_OUTPUTS.join(', ')}`];
  }
  if (root === 'shard') {
    if (!ctx.step.fanOut) return ['shard-outside-fan-out', `"${text}" is only defined in a step with fanOut`];
    if (!name || !SHARD_FIELDS.includes(name)) return ['unknown-name', `shard has no field "${name ?? ''}"; fields are ${SHARD_FIELDS.join(', ')}`];
  }
  if (root === 'run' && name !== 'id') return ['unknown-name', `run has no field "${name ?? ''}"; use run.id`];
  if (root === 'trigger' && name !== 'ref') return ['unknown-name', `trigger has no field "${name ?? ''}"; use trigger.ref (the version that started a triggered run)`];
  return undefined;
}

/** Calls `fn` for every string value under a step, with its document path. */
function forEachString(value: unknown, at: Path, fn: (s: string, at: Path) => void): void {
  if (typeof value === 'string') fn(value, at);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachString(v, [...at, i], fn));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) forEachString(v, [...at, k], fn);
}

export function matchesType(value: unknown, type: string): boolean {
  if (type === 'integer') return typeof value === 'number' && Number.isInteger(value);
  return typeof value === type;
}

export function article(type: string): string {
  return type === 'integer' ? 'an integer' : `a ${type}`;
}
