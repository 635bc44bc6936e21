import { useEffect, useState } from 'preact/hooks';
import type { GraphEdge, GraphNode, LineageJson } from '../../ui/api-types';
import { getJson } from '../api';
import { Dag, type DagNode } from '../parts/dag';
import { href } from '../routes';

interface Graph {
  readonly nodes: ReadonlyMap<string, GraphNode>;
  readonly edges: ReadonlyMap<string, GraphEdge>;
  /** `up:<id>` / `down:<id>` for each expansion already merged. */
  readonly expanded: ReadonlySet<string>;
}

const EMPTY: Graph = { nodes: new Map(), edges: new Map(), expanded: new Set() };

function merge(g: Graph, answer: LineageJson, done: readonly string[]): Graph {
  const nodes = new Map(g.nodes);
  const edges = new Map(g.edges);
  for (const n of answer.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
  for (const e of answer.edges) edges.set(`${e.from}>${e.to}>${e.kind}`, e);
  return { nodes, edges, expanded: new Set([...g.expanded, ...done]) };
}

/** The lineage around a version; each version node expands upstream (▲) or downstream (▼) on demand. */
export function LineagePage({ ref_ }: { ref_: string }) {
  const [graph, setGraph] = useState<Graph>(EMPTY);
  const [error, setError] = useState<string | undefined>();
  const expand = (ref: string, direction: 'up' | 'down' | 'both'): void => {
    const id = `version:${ref}`;
    const done = direction === 'both' ? [`up:${id}`, `down:${id}`] : [`${direction}:${id}`];
    getJson<LineageJson>('lineage', { ref, direction }).then((answer) => setGraph((g) => merge(g, answer, done)), (err: unknown) => setError(String(err instanceof Error ? err.message : err)));
  };
  useEffect(() => {
    setGraph(EMPTY);
    expand(ref_, 'both');
  }, [ref_]);
  if (error) return <p class="error" role="alert">{error}</p>;
  const nodes: DagNode[] = [...graph.nodes.values()].map((n) => ({
    id: n.id, title: n.label, subtitle: n.detail, cls: `${n.kind}${n.deleted ? ' deleted' : ''}${n.ref === ref_ ? ' center' : ''}`,
    ...(n.ref && !n.deleted ? { href: href.version(n.ref) } : {}),
  }));
  const edges = [...graph.edges.values()].map((e) => ({ from: e.from, to: e.to, cls: e.kind }));
  return (
    <section>
      <h1>Lineage of <a href={href.version(ref_)}>{ref_}</a></h1>
      <p class="muted legend"><span class="key used">used</span><span class="key produced">produced</span><span class="key base">draft of</span> ▲ expands upstream, ▼ downstream.</p>
      {nodes.length === 0 ? <p class="muted">Loading…</p> : (
        <div class="graph-frame">
          <Dag id="lineage" nodes={nodes} edges={edges} extra={(n, box) => {
            const ref = graph.nodes.get(n.id)?.ref;
            if (!ref || graph.nodes.get(n.id)?.deleted) return null;
            const right = box.x + box.width / 2;
            const top = box.y - box.height / 2;
            return <>
              {!graph.expanded.has(`up:${n.id}`) && <g class="expand up" role="button" aria-label={`expand upstream of ${ref}`} onClick={() => expand(ref, 'up')}><circle cx={box.x - box.width / 2} cy={top} r="8" /><text x={box.x - box.width / 2} y={top + 4}>▲</text></g>}
              {!graph.expanded.has(`down:${n.id}`) && <g class="expand down" role="button" aria-label={`expand downstream of ${ref}`} onClick={() => expand(ref, 'down')}><circle cx={right} cy={top} r="8" /><text x={right} y={top + 4}>▼</text></g>}
            </>;
          }} />
        </div>
      )}
    </section>
  );
}
