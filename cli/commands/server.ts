import path from 'node:path';
import { command } from '../command';
import { serverStatus, startServer, stopServer } from '../../client';
import { UsageError } from '../../errors';

const USAGE = 'artifacts server start|status|stop';

/** Manages the embedded default's shared background Temporal dev server. */
export const serverCommand = command({
  summary: "Start, inspect or stop the embedded default's shared background Temporal dev server.",
  usage: USAGE,
  details: 'status exits 3 when no server runs.',
  options: {},
  run: async ({ positionals }) => {
    switch (positionals[0]) {
      case 'start': {
        const info = await startServer();
        console.log(`running: ${info.address} (pid ${info.pid}), UI ${info.uiUrl}, data ${path.dirname(info.dbFile)}`);
        return 0;
      }
      case 'status': {
        const { home, server: info } = await serverStatus();
        if (!info) {
          console.log(`not running (data folder ${home}); the next artifacts command starts it, or run: artifacts server start`);
          return 3;
        }
        console.log(`running: ${info.address} (pid ${info.pid}), UI ${info.uiUrl}, since ${info.startedAt}`);
        return 0;
      }
      case 'stop': {
        const { server: info } = await stopServer();
        console.log(info ? `stopped the dev server at ${info.address} (pid ${info.pid})` : 'no dev server was running');
        return 0;
      }
      default:
        throw new UsageError(`Unknown server action ${JSON.stringify(positionals[0] ?? '')}. Usage: ${USAGE}`);
    }
  },
});
