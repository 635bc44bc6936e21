/**
 * A directed graph drawn as SVG, laid out by dagre (layered, the Sugiyama method): ranks left to right, crossings
 * reduced, edges routed around nodes. Used by the lineage graph and by a pipeline run's step DAG.
 */
import { graphlib, layout } from '@dagrejs/dagre';
import type { ComponentChildren } from 'preact';

export interface DagNode {
  readonly id: string;
  readonly title: string;
  readonly subtitle: string;
  /** CSS classes: the node's kind and state. */
  readonly cls: string;
  readonly href?: string;
}

export interface DagEdge {
  readonly from: string;
  readonly to: string;
  readonly cls: string;
  readonly label?: string;
}

interface Placed { readonly x: number; readonly y: number; readonly width: number; readonly height: number }

const CHAR = 7.2;
const HEIGHT = 46;

/** Positions from dagre: node centres and edge polylines, plus the drawing's size. */
function place(nodes: readonly DagNode[], edges: readonly DagEdge[]): { nodes: Map<string, Placed>; edges: { x: number; y: number }[][]; width: number; height: number } {
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 56, marginx: 12, marginy: 12 });
  for (const n of nodes) g.setNode(n.id, { width: Math.max(n.title.length, n.subtitle.length) * CHAR + 28, height: HEIGHT });
  edges.forEach((e, i) => g.setEdge(e.from, e.to, {}, String(i)));
  layout(g);
  const placed = new Map<string, Placed>();
  for (const n of nodes) {
    const p = g.node(n.id) as Placed;
    placed.set(n.id, { x: p.x, y: p.y, width: p.width, height: p.height });
  }
  const lines = edges.map((e, i) => (g.edge(e.from, e.to, String(i)) as { points?: { x: number; y: number }[] }).points ?? []);
  const size = g.graph() as { width?: number; height?: number };
  return { nodes: placed, edges: lines, width: size.width ?? 0, height: size.height ?? 0 };
}

export function Dag({ nodes, edges, extra, id }: {
  nodes: readonly DagNode[]; edges: readonly DagEdge[]; id: string;
  /** More to draw on a node (expand buttons), given its box. */
  extra?: (node: DagNode, box: Placed) => ComponentChildren;
}) {
  const laid = place(nodes, edges);
  return (
    <svg id={id} class="dag" width={laid.width} height={laid.height} viewBox={`0 0 ${laid.width} ${laid.height}`} role="img">
      <defs>
        <marker id={`${id}-arrow`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrow" />
        </marker>
      </defs>
      {edges.map((e, i) => (
        <path key={`e${i}`} class={`edge ${e.cls}`} data-from={e.from} data-to={e.to} marker-end={`url(#${id}-arrow)`}
          d={(laid.edges[i] ?? []).map((p, j) => `${j === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ')} />
      ))}
      {nodes.map((n) => {
        const box = laid.nodes.get(n.id)!;
        const left = box.x - box.width / 2;
        const top = box.y - box.height / 2;
        const body = (
          <>
            <rect x={left} y={top} width={box.width} height={box.height} rx="6" />
            <text x={box.x} y={box.y - 4} class="title">{n.title}</text>
            <text x={box.x} y={box.y + 13} class="subtitle">{n.subtitle}</text>
          </>
        );
        return (
          <g key={n.id} class={`node ${n.cls}`} data-id={n.id} data-x={Math.round(box.x)} data-y={Math.round(box.y)}>
            {n.href ? <a href={n.href}>{body}</a> : body}
            {extra?.(n, box)}
          </g>
        );
      })}
    </svg>
  );
}
