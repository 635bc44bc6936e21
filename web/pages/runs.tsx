import type { RunJson, RunListJson } from '../../ui/api-types';
import { useApi } from '../api';
import { formatBytes, when } from '../format';
import { Dag, type DagNode } from '../parts/dag';
import { Pending } from '../parts/status';
import { href, safeExternal } from '../routes';

/** The pipeline runs of this task queue, newest first. */
export function RunsPage() {
  const loaded = useApi<RunListJson>('runs', {}, 3000);
  if (!loaded.data) return <Pending loaded={loaded} />;
  return (
    <section>
      <h1>Pipeline runs</h1>
      <table id="runs">
        <thead><tr><th>Run</th><th>Pipeline</th><th>State</th><th>Started</th><th>Ended</th></tr></thead>
        <tbody>
          {loaded.data.runs.map((r) => (
            <tr key={r.runId}>
              <td><a href={href.run(r.runId)}>{r.runId}</a></td>
              <td>{r.pipeline ?? '-'}</td>
              <td><span class={`state ${r.state.toLowerCase()}`}>{r.state.toLowerCase()}</span></td>
              <td>{when(r.startedAt)}</td>
              <td>{when(r.closedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {loaded.data.runs.length === 0 && <p class="muted">No runs yet. Start one with: artifacts run FILE</p>}
    </section>
  );
}

function progressOf(run: RunJson, id: string): string {
  const step = run.status?.steps[id];
  const done = run.progress.shardsDone[id];
  const bytes = run.progress.bytes[id];
  if (step?.shards && done !== undefined) return `${done}/${step.shards} shards`;
  if (step?.shards) return `${step.shards} shards${step.shardsCached ? ` (${step.shardsCached} cached)` : ''}`;
  if (bytes) return `${formatBytes(bytes.done)}/${formatBytes(bytes.total)}`;
  return '';
}

/** One run: its step DAG coloured by state, refreshed every second while the run runs. */
export function RunPage({ id }: { id: string }) {
  const loaded = useApi<RunJson>('run', { id }, 1000, (run) => run.state === 'RUNNING');
  const run = loaded.data;
  if (!run) return <Pending loaded={loaded} />;
  const stateOf = (step: string): string => run.status?.steps[step]?.state ?? 'pending';
  const nodes: DagNode[] = run.steps.map((s) => ({
    id: s.id, title: s.id, subtitle: [stateOf(s.id), progressOf(run, s.id)].filter(Boolean).join(' · '), cls: `step ${stateOf(s.id)}`,
  }));
  const edges = run.steps.flatMap((s) => s.needs.map((n) => ({ from: n, to: s.id, cls: 'needs' })));
  const ui = safeExternal(run.uiUrl);
  return (
    <section>
      <h1>Run {run.runId}{run.status?.name ? <span class="muted"> ({run.status.name})</span> : null}</h1>
      <p>State: <span id="run-state" class={`state ${run.state.toLowerCase()}`}>{run.state.toLowerCase()}</span>
        {ui && <> · <a href={ui} rel="noreferrer noopener" target="_blank">open in Temporal UI</a></>}</p>
      <div class="graph-frame"><Dag id="steps" nodes={nodes} edges={edges} /></div>
      <table id="steps-table">
        <thead><tr><th>Step</th><th>State</th><th>Progress</th><th>Version</th><th>Notes</th></tr></thead>
        <tbody>
          {run.steps.map((s) => {
            const st = run.status?.steps[s.id];
            return (
              <tr key={s.id} data-step={s.id} data-state={stateOf(s.id)}>
                <td>{s.id}</td>
                <td><span class={`state ${stateOf(s.id)}`}>{stateOf(s.id)}</span></td>
                <td>{progressOf(run, s.id)}</td>
                <td>{st?.ref ? <a href={href.version(st.ref)}>{st.ref}</a> : s.produces ? <span class="muted">{s.produces}</span> : ''}</td>
                <td>{[st?.outcome, st?.cachedFrom ? `from run ${st.cachedFrom}` : '', st?.error].filter(Boolean).join(' · ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
