/**
 * `artifacts ui`: a small read-only web view of the artifacts, versions, diffs, lineage and pipeline runs of the
 * current project, and the JSON API its pages use. It stands on the client layer like the CLI (ui-data.ts); the
 * pages are bundled at build time (web/ -> dist/ui-assets) and served from here, never from a CDN.
 *
 * Every response carries a strict Content-Security-Policy (http.ts). The server binds 127.0.0.1 unless told
 * otherwise, and a host other than loopback needs a token (access.ts).
 *
 *   const ui = await startUiServer({ port: 0 });
 *   console.log(ui.url);
 *   await ui.close();
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors';
import { accessOf, checkBinding, checkToken, TOKEN_COOKIE } from './access';
import { serveAsset } from './assets';
import { FILE_ROUTE, sendFile } from './file-download';
import { securityHeaders, sendError } from './http';
import { answerApi, isApiPath } from './routes';
import { UiData } from './ui-data';

export interface UiServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1; anything that is not loopback needs `token`. */
  readonly host?: string;
  readonly token?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where the bundled pages are (default: dist/ui-assets beside the compiled server). */
  readonly assetsDir?: string;
}

export interface UiServer {
  /** The address to open (with `?token=` when there is one). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  checkToken(options.token);
  checkBinding(host, options.token);
  const data = new UiData(options.env);
  const server = http.createServer((req, res) => {
    handle(req, res, data, options).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });
  await listen(server, options.port, host);
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`,
    host, port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await data.close();
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new UsageError(`Port ${port} on ${host} is in use; pick another with --port N (0 picks a free one).`) : err);
    });
    server.listen(port, host, () => resolve());
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, data: UiData, options: UiServerOptions): Promise<void> {
  securityHeaders(res);
  const url = new URL(req.url ?? '/', 'http://ui.invalid');
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'This UI is read-only: only GET requests are served.');
  const access = accessOf(req, url, options.token);
  if (access.kind === 'refused') return sendError(res, access.status, access.why);
  if (access.kind === 'set-cookie') {
    // Remembered for this browser, then the token leaves the address bar (and the history) at once.
    res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${encodeURIComponent(access.token)}; HttpOnly; SameSite=Strict; Path=/`);
    res.writeHead(303, { Location: url.pathname });
    return void res.end();
  }
  if (url.pathname === FILE_ROUTE) return sendFile(data, url, res);
  if (isApiPath(url.pathname)) return answerApi(data, url, res);
  if (!serveAsset(res, url.pathname, options.assetsDir)) sendError(res, 404, `Nothing at ${url.pathname}.`);
}
