import { configFromEnv } from '../runtime/config';
import { devServerRecord } from '../runtime/dev-server';

/**
 * The Temporal Web UI page of a workflow execution: under `TEMPORAL_UI_URL` when set, else under the embedded dev
 * server's UI when that is the server in use; undefined when no UI is known.
 */
export function workflowUiUrl(workflowId: string, runId?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const config = configFromEnv(env);
  const ui = env['TEMPORAL_UI_URL'] || (config.temporalAddress ? undefined : devServerRecord(config.home)?.uiUrl);
  if (!ui) return undefined;
  return `${ui.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${encodeURIComponent(runId)}/history` : ''}`;
}
