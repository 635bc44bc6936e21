import { keyValues } from '../args';
import { command, JSON_OPTION } from '../command';
import { PipelineView } from '../pipeline-view';
import { cancelPipeline, pipelineStatus, pipelineUiUrl, safeLoadPipeline, Session, startPipeline, waitForPipeline } from '../../client';
import { UsageError } from '../../errors';

/** `artifacts validate FILE`: every problem at once, compiler style; exit 1 if any. */
export const validateCommand = command({
  summary: 'Check a pipeline file and print every problem at once with file:line:col; exit 1 if any.',
  usage: 'artifacts validate FILE',
  options: {},
  run: async ({ positionals }) => {
    const file = positionals[0];
    if (!file) throw new UsageError('Give a pipeline file. Usage: artifacts validate FILE');
    const result = safeLoadPipeline(file);
    if (!result.ok) {
      console.error(result.rendered);
      return 1;
    }
    console.log(`ok: ${file} (pipeline ${result.value.pipeline.name}, ${plural(Object.keys(result.value.pipeline.steps).length, 'step')})`);
    return 0;
  },
});

const RUN_USAGE = 'artifacts run FILE [--param name=value]... [--run-id ID] [--detach] [--no-cache] [--trigger REF]';

/** `artifacts run FILE [--param k=v]... [--run-id ID] [--detach]`. */
export const runCommand = command({
  summary: 'Run a pipeline file, showing its steps live; a run id given again re-attaches to that run.',
  usage: RUN_USAGE,
  options: {
    param: { type: 'string', multiple: true, value: 'name=value', help: 'a pipeline parameter' },
    'run-id': { type: 'string', value: 'ID', help: 'the run\'s id: starts it, or attaches to it if it already runs' },
    detach: { type: 'boolean', help: 'start the run and return; `artifacts status RUN` follows it' },
    'no-cache': { type: 'boolean', help: 'run every step, even those whose cache key was recorded before' },
    trigger: { type: 'string', value: 'REF', help: 'run as if the version REF had triggered it: ${{ trigger.ref }}' },
  },
  run: async ({ values, positionals }) => {
    const file = positionals[0];
    if (!file) throw new UsageError(`Give a pipeline file. Usage: ${RUN_USAGE}`);
    const result = safeLoadPipeline(file);
    if (!result.ok) {
      console.error(result.rendered);
      return 1;
    }
    const params = Object.fromEntries(Object.entries(keyValues(values.param, '--param', { typed: false })).map(([k, v]) => [k, String(v)]));
    // The run's steps go to this host's queue, which this process serves while it waits for the run.
    const session = await Session.open({ worker: !values.detach, hostWork: 'host' });
    try {
      const started = await startPipeline(session, file, { params, ...(values['run-id'] ? { runId: values['run-id'] } : {}), ...(values['no-cache'] ? { cache: false } : {}), ...(values.trigger ? { trigger: values.trigger } : {}) });
      console.log(`${started.attached ? 'attached to' : 'started'} run ${started.runId}`);
      if (values.detach) {
        console.log(`detached: \`artifacts status ${started.runId}\` shows progress; an \`artifacts worker\` on this host runs its steps.`);
        return 0;
      }
      const view = new PipelineView();
      try {
        const final = await session.track(`pipeline run ${started.runId}`, session.connections.client.workflow.getHandle(started.workflowId), waitForPipeline(session, started, (s, progress) => view.update(s, progress)));
        view.finish(final);
        const ui = pipelineUiUrl(session, started);
        if (ui) console.log(`Temporal UI: ${ui}`);
        return 0;
      } catch (err) {
        view.stop();
        throw err;
      }
    } finally {
      await session.close();
    }
  },
});

/** `artifacts status RUN`: the step states of a run, running or finished. */
export const statusCommand = command({
  summary: "Show a pipeline run's state and the state of each step, running or finished.",
  usage: 'artifacts status RUN [--json]',
  options: {
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    const runId = positionals[0];
    if (!runId) throw new UsageError('Give a run id (printed by `artifacts run`). Usage: artifacts status RUN');
    const found = await Session.using({ worker: false }, (session) => pipelineStatus(session, runId));
    if (!found) throw new UsageError(`No pipeline run ${JSON.stringify(runId)}; \`artifacts run FILE\` prints the run id it starts.`);
    const { state, status } = found;
    if (values.json) console.log(JSON.stringify({ run: runId, state, steps: status?.steps ?? null }, null, 2));
    else if (status) console.log(`run ${runId}${status.name ? ` (${status.name})` : ''}: ${state.toLowerCase()}\n${PipelineView.lines(status).join('\n')}\n${PipelineView.summary(status)}`);
    else console.log(`run ${runId}: ${state.toLowerCase()} (its steps were not recorded)`);
    return 0;
  },
});

/** `artifacts cancel RUN`: stops running steps; no version is left half made. */
export const cancelCommand = command({
  summary: 'Cancel a running pipeline run; no version is left half made.',
  usage: 'artifacts cancel RUN',
  options: {},
  run: async ({ positionals }) => {
    const runId = positionals[0];
    if (!runId) throw new UsageError('Give a run id. Usage: artifacts cancel RUN');
    const cancelled = await Session.using({ worker: false }, (session) => cancelPipeline(session, runId));
    if (!cancelled) throw new UsageError(`No running pipeline run ${JSON.stringify(runId)}.`);
    console.log(`cancellation requested for run ${runId}`);
    return 0;
  },
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
