import { spawn } from 'node:child_process';
import { command } from '../command';
import { startUiServer } from '../../ui/server';
import { UsageError } from '../../errors';

const USAGE = 'artifacts ui [--port N] [--open] [--host H --token T]';

/** `artifacts ui`: serves the read-only web view until interrupted. */
export const uiCommand = command({
  summary: 'Serve a read-only web view of artifacts, versions, diffs, lineage graphs and pipeline runs.',
  usage: USAGE,
  details: 'Binds 127.0.0.1 unless --host is given; any other host needs --token (or ARTIFACTS_UI_TOKEN). Stop with Ctrl-C.',
  options: {
    port: { type: 'string', value: 'N', help: 'the port to listen on (default 8734; 0 picks a free one)' },
    open: { type: 'boolean', help: 'open the page in the default browser' },
    host: { type: 'string', value: 'H', help: 'the address to bind (default 127.0.0.1)' },
    token: { type: 'string', value: 'T', help: 'require this token (at least 16 characters); needed for a non-loopback host' },
  },
  run: async ({ values }) => {
    const port = Number(values.port ?? 8734);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port} is not a port number (0-65535). Usage: ${USAGE}`);
    const token = values.token ?? process.env['ARTIFACTS_UI_TOKEN'] ?? undefined;
    const ui = await startUiServer({ port, ...(values.host ? { host: values.host } : {}), ...(token ? { token } : {}) });
    console.log(`artifacts ui listening on ${ui.url}`);
    if (values.open) openBrowser(ui.url);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await ui.close();
    return 0;
  },
});

function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => console.error(`could not start ${opener}; open ${url} yourself`));
  child.unref();
}
