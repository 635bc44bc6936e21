import { keyValues } from '../args';
import { command, JSON_OPTION } from '../command';
import { deployPipeline, listDeployments, Session, undeployPipeline } from '../../client';
import { UsageError } from '../../errors';

const DEPLOY_USAGE = 'artifacts deploy FILE [--param name=value]...';

/** `artifacts deploy FILE [--param k=v]...`: registers the pipeline's `on:` triggers (a schedule, an artifact watch). */
export const deployCommand = command({
  summary: "Start a pipeline on its on: triggers (a schedule, a new version of an artifact); its runs execute on this host.",
  usage: DEPLOY_USAGE,
  options: {
    param: { type: 'string', multiple: true, value: 'name=value', help: 'a pipeline parameter for every triggered run' },
  },
  details: 'Deploying a pipeline again replaces its triggers. Keep an `artifacts worker` running on this host: it runs the steps.',
  run: async ({ values, positionals }) => {
    const file = positionals[0];
    if (!file) throw new UsageError(`Give a pipeline file with an \`on:\` section. Usage: ${DEPLOY_USAGE}`);
    const params = Object.fromEntries(Object.entries(keyValues(values.param, '--param', { typed: false })).map(([k, v]) => [k, String(v)]));
    const deployed = await Session.using({ worker: false }, (session) => deployPipeline(session, file, { params }));
    console.log(`deployed ${deployed.name}: ${deployed.triggers.join('; ')}`);
    console.log('its runs execute on this host: keep an `artifacts worker` running here.');
    return 0;
  },
});

/** `artifacts deployments [--json]`: deployed pipelines, their triggers, last and next runs. */
export const deploymentsCommand = command({
  summary: 'List deployed pipelines: their triggers, last run and next scheduled run.',
  usage: 'artifacts deployments [--json]',
  options: { json: JSON_OPTION },
  run: async ({ values }) => {
    const list = await Session.using({ worker: false }, (session) => listDeployments(session));
    if (values.json) {
      console.log(JSON.stringify(list, null, 2));
      return 0;
    }
    if (list.length === 0) console.log('no deployed pipelines; `artifacts deploy FILE` deploys one');
    for (const d of list) {
      console.log(`${d.name}  ${d.triggers.join('; ')}`);
      console.log(`  last run: ${d.lastRun ? `${d.lastRun.runId} at ${d.lastRun.at}` : 'none yet'}${d.nextRun ? `  next: ${d.nextRun}` : ''}`);
    }
    return 0;
  },
});

/** `artifacts undeploy NAME`: removes the pipeline's triggers; runs already started go on. */
export const undeployCommand = command({
  summary: "Remove a deployed pipeline's triggers; runs already started go on.",
  usage: 'artifacts undeploy NAME',
  options: {},
  run: async ({ positionals }) => {
    const name = positionals[0];
    if (!name) throw new UsageError('Give the name of a deployed pipeline (`artifacts deployments` lists them). Usage: artifacts undeploy NAME');
    const removed = await Session.using({ worker: false }, (session) => undeployPipeline(session, name));
    if (!removed) throw new UsageError(`No pipeline ${JSON.stringify(name)} is deployed; \`artifacts deployments\` lists those that are.`);
    console.log(`undeployed ${name}: its triggers start no more runs (runs already started go on)`);
    return 0;
  },
});
