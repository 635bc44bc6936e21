/**
 * The lineage graph around one version, as nodes and edges the page lays out: versions and the runs that made or
 * used them. Upstream: the run that produced the version, what that run used, and its base. Downstream: the
 * versions made from it (and the runs that made them), drafts based on it, and runs and workflows that used it.
 * The page asks again for a node it expands and merges the answers, so a graph grows one step at a time.
 */
import type { ArtifactVersion } from '../client';
import type { GraphEdge, GraphNode, LineageJson } from './api-types';
import type { UiData } from './ui-data';

export type Direction = 'up' | 'down' | 'both';

interface Producer { readonly workflowId: string; readonly runId?: string; readonly run?: string }

const STEP_ID = /^artifacts\/pipeline\/(.+)\/([^/]+)\/(log|incremental|fan-out)$/;

/** One node per producing run: a pipeline step of a run, a user's `init()` run, or else the workflow. */
export function runNodeOf(p: Producer): GraphNode {
  // A fan-out's version is committed by its draft workflow and names the fan-out (the step's child) as its run.
  const step = STEP_ID.exec(p.workflowId) ?? (p.run ? STEP_ID.exec(p.run) : null);
  if (step) return { id: `run:${step[1]}/${step[2]}`, kind: 'run', label: `step ${step[2]}`, detail: `run ${step[1]}` };
  if (p.run) return { id: `run:${p.run}`, kind: 'run', label: `run ${p.run}`, detail: 'init() run' };
  return { id: `run:${p.workflowId}`, kind: 'run', label: p.workflowId, detail: 'workflow' };
}

class Graph {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();

  node(n: GraphNode): string {
    if (!this.nodes.has(n.id)) this.nodes.set(n.id, n);
    return n.id;
  }

  edge(from: string, to: string, kind: GraphEdge['kind']): void {
    this.edges.set(`${from}>${to}>${kind}`, { from, to, kind });
  }

  version(v: ArtifactVersion | string, deleted = false): string {
    const ref = typeof v === 'string' ? v : v.ref;
    const detail = typeof v === 'string' ? (deleted ? 'deleted' : '') : v.type;
    return this.node({ id: `version:${ref}`, kind: 'version', label: ref, detail, ref, ...(deleted ? { deleted } : {}) });
  }
}

/** The version `ref` with its neighbours in `direction`. */
export async function lineageGraph(data: UiData, ref: string, direction: Direction): Promise<LineageJson> {
  const v = await data.api.artifact(ref);
  const lineage = await v.lineage();
  const deleted = new Set(lineage.deleted);
  const g = new Graph();
  const center = g.version(v);
  if (direction !== 'down') {
    const maker = v.producer ? g.node(runNodeOf(v.producer)) : undefined;
    if (maker) g.edge(maker, center, 'produced');
    for (const u of lineage.uses) g.edge(g.version(u, deleted.has(u)), maker ?? center, 'used');
    if (lineage.base) g.edge(g.version(lineage.base, deleted.has(lineage.base)), center, 'base');
  }
  if (direction !== 'up') {
    for (const u of lineage.usedBy) await addConsumer(data, g, center, u, deleted.has(u));
    for (const d of lineage.derived) g.edge(center, g.version(d, deleted.has(d)), 'base');
    for (const r of lineage.usedByRuns) g.edge(center, g.node({ id: `run:${r.run}`, kind: 'run', label: `run ${r.run}`, detail: `init() run on ${r.host}` }), 'used');
    for (const w of lineage.usedByWorkflows) g.edge(center, g.node({ id: `run:${w.workflowId}`, kind: 'run', label: w.workflowId, detail: w.workflowType }), 'used');
  }
  return { nodes: [...g.nodes.values()], edges: [...g.edges.values()], center };
}

/** A version made from `center`: through the run that made it, when that is known. */
async function addConsumer(data: UiData, g: Graph, center: string, ref: string, deleted: boolean): Promise<void> {
  const made = deleted ? undefined : await data.api.artifact(ref).catch(() => undefined);
  const node = g.version(made ?? ref, deleted || !made);
  const maker = made?.producer ? g.node(runNodeOf(made.producer)) : undefined;
  if (!maker) {
    g.edge(center, node, 'used');
    return;
  }
  g.edge(center, maker, 'used');
  g.edge(maker, node, 'produced');
}
