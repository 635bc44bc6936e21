/**
 * The graph of steps and their needs: cycles, and whether one step needs another. Both run in time linear in the
 * size of the pipeline, without recursion (a chain of 25,000 needs overflowed the call stack).
 */
import type { Pipeline } from './pipeline.generated';
import { own } from './records';

type Add = (code: string, docPath: readonly (string | number)[], message: string) => void;

/** Depth-first, with an explicit stack: a chain of 40,000 needs must not overflow the call stack. */
export function checkCycles(pipeline: Pipeline, add: Add): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const next: number[] = [];
  for (const root of Object.keys(pipeline.steps)) {
    if (state.has(root)) continue;
    state.set(root, 'visiting');
    path.push(root);
    next.push(0);
    while (path.length > 0) {
      const id = path[path.length - 1]!;
      const needs = pipeline.steps[id]!.needs ?? [];
      const i = next[next.length - 1]!;
      if (i >= needs.length) {
        state.set(id, 'done');
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const need = needs[i]!;
      if (!own(pipeline.steps, need) || state.get(need) === 'done') continue;
      if (state.get(need) === 'visiting') {
        const cycle = [...path.slice(path.indexOf(need)), need];
        add('cycle', ['steps', id, 'needs', i], `steps ${cycle.join(' -> ')} form a cycle; remove one of these needs`);
        continue;
      }
      state.set(need, 'visiting');
      path.push(need);
      next.push(0);
    }
  }
}

/**
 * Answers "does step a need step b, directly or through others?" without building every step's ancestor set
 * (quadratic on a long chain): direct needs first, else the steps that depend on b, found once per b.
 */
export class Dependencies {
  private readonly dependents = new Map<string, string[]>();
  private readonly found = new Map<string, Set<string>>();

  constructor(private readonly pipeline: Pipeline) {
    for (const [id, step] of Object.entries(pipeline.steps)) {
      for (const need of step.needs ?? []) {
        const list = this.dependents.get(need);
        if (list) list.push(id);
        else this.dependents.set(need, [id]);
      }
    }
  }

  needs(id: string, target: string): boolean {
    if ((own(this.pipeline.steps, id)?.needs ?? []).includes(target)) return true;
    let reached = this.found.get(target);
    if (!reached) {
      reached = new Set<string>();
      const queue = [target];
      for (let i = 0; i < queue.length; i++) {
        for (const dependent of this.dependents.get(queue[i]!) ?? []) {
          if (reached.has(dependent)) continue;
          reached.add(dependent);
          queue.push(dependent);
        }
      }
      this.found.set(target, reached);
    }
    return reached.has(id);
  }
}
