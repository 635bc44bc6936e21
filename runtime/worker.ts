import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker, type LogLevel, type NativeConnection } from '@temporalio/worker';
import { hostQueueOf, type ArtifactsConfig } from './config';
import { ArtifactsPlugin, once } from '../plugin/artifacts-plugin';
import { prestartIngestThreads } from '../store/blobs/local-blob-store';
import { isLocalBlobUrl, type Store } from '../store/store';
import { scratchFolderOf } from '../store/data-folder';

export interface ArtifactsWorkers {
  /** Runs until shutdown() (or a fatal error). */
  readonly running: Promise<void>;
  shutdown(): Promise<void>;
}

/** The workflow code, prebuilt by `npm run build` so starting a worker does not bundle it again. */
export function workflowSource(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const bundle = path.resolve(__dirname, '..', 'workflow-bundle.js');
  if (fs.existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath: require.resolve('../workflows') };
}

/**
 * Sets the SDK's log level once per process (before any worker or native connection exists): clients stay quiet
 * unless something fails; `artifacts worker` logs more. ARTIFACTS_LOG_LEVEL overrides. The native core's own
 * lines (a warning per retried call while the server is away, ~140 in a short restart) are kept to ERROR unless
 * overridden: the server watch says once what happened instead. (Forwarding them to this logger would keep
 * short-lived processes from exiting.) The SDK's signal handlers are left out:
 * they would shut workers down and leave the process waiting; our entry points handle SIGINT and SIGTERM.
 */
export function installRuntime(level: LogLevel): void {
  const override = process.env['ARTIFACTS_LOG_LEVEL'] as LogLevel | undefined;
  try {
    Runtime.install({
      logger: new DefaultLogger(override ?? level),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: override ?? 'ERROR' }) } },
      shutdownSignals: [],
    });
  } catch {
    // Already installed by this process (or by the host application): keep theirs.
  }
}

/**
 * Starts the workers of one process: one on the shared queue (workflows and store activities) and one on the queue
 * of activities that read local files: this host's (`artifacts worker`), or this process's own (an in-process
 * worker), both with the artifacts plugin.
 */
export async function startWorkers(config: ArtifactsConfig, connection: NativeConnection, store: () => Promise<Store>, fileQueue = hostQueueOf(config)): Promise<ArtifactsWorkers> {
  const shared = { connection, namespace: config.namespace, maxHeartbeatThrottleInterval: '1 second', defaultHeartbeatThrottleInterval: '1 second' } as const;
  // The host worker is made here explicitly (on this process's own queue, or the host's), so the plugin makes none.
  const plugin = new ArtifactsPlugin({ store: once(store), maxBytesPerSecond: config.maxBytesPerSecond, hostQueue: fileQueue, scratchDir: scratchFolderOf(config.home), hostWorker: false });
  // The ingest threads boot while the workers are made, and are up before the first write: booting them during a
  // log would take CPU from its hashing.
  const threads = isLocalBlobUrl(config.blobUrl) ? prestartIngestThreads() : undefined;
  const main = await Worker.create({ ...shared, ...workflowSource(), taskQueue: config.taskQueue, plugins: [plugin] });
  const host = await Worker.create({ ...shared, taskQueue: fileQueue, plugins: [plugin] });
  await threads;
  const running = Promise.all([main.run(), host.run()]).then(() => undefined);
  return {
    running,
    async shutdown() {
      for (const w of [main, host]) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
    },
  };
}
