/**
 * The YAML pipeline DSL: load and validate a pipeline file (every problem at once, with file:line:col, a caret
 * and "did you mean"), resolve its params, and evaluate its expressions.
 *
 *   import { safeLoadPipeline } from 'temporal-artifacts/dsl';
 *   const result = safeLoadPipeline('pipeline.yaml');
 *   if (!result.ok) console.error(result.rendered);
 */
export { loadPipeline, safeLoadPipeline } from './load';
export { resolveParams } from './params';
export { renderTemplate, parseTemplate, evaluate, ExpressionError } from './expressions';
export { PipelineError, renderProblems } from './problems';
export type { LoadedPipeline, LoadResult } from './load';
export type { Problem } from './problems';
export type { ParamValues } from './params';
export type { Pipeline, Step, Produces, FanOut, Param } from './pipeline.generated';
