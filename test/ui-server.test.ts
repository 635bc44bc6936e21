import http from 'node:http';
import os from 'node:os';
import { afterAll, expect, test } from 'vitest';
import { cli, isolatedEnv } from './helpers';
import { startUi, type UiProcess } from './ui-helpers';

const env = isolatedEnv();
const started: UiProcess[] = [];

afterAll(() => {
  for (const ui of started) ui.child.kill('SIGTERM');
});

async function ui(args: string[] = []): Promise<UiProcess> {
  const u = await startUi(env, args);
  started.push(u);
  return u;
}

interface Answer { readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly body: string }

/** A GET to host:port, or the connection error's code. */
function get(host: string, port: number, path = '/', headers: Record<string, string> = {}): Promise<Answer | string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** This machine's own addresses that are not loopback: where another machine would connect. */
function externalAddress(): string {
  const address = Object.values(os.networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;
  if (!address) throw new Error('this machine has no non-loopback IPv4 address to test against');
  return address;
}

test('by default the server binds 127.0.0.1 only: its port answers on loopback and refuses connections on the machine\'s other address', async () => {
  const server = await ui();
  const url = new URL(server.url);
  expect(url.hostname).toBe('127.0.0.1');
  const port = Number(url.port);
  const local = await get('127.0.0.1', port);
  expect(typeof local === 'object' && local.status).toBe(200);
  expect(await get(externalAddress(), port)).toBe('ECONNREFUSED');
});

test('every answer carries a strict Content-Security-Policy with no inline scripts, and the API is read-only', async () => {
  const server = await ui();
  const port = Number(new URL(server.url).port);
  const page = (await get('127.0.0.1', port)) as Answer;
  const csp = String(page.headers['content-security-policy']);
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(page.body).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
  const api = (await get('127.0.0.1', port, '/api/artifacts')) as Answer;
  expect(api.headers['content-security-policy']).toBe(csp);
  const post = await new Promise<number>((resolve) => {
    http.request({ host: '127.0.0.1', port, path: '/api/artifacts', method: 'POST' }, (res) => resolve(res.statusCode ?? 0)).end();
  });
  expect(post).toBe(405);
});

test('a request naming another host (DNS rebinding) is refused by a loopback server without a token', async () => {
  const server = await ui();
  const port = Number(new URL(server.url).port);
  const answer = (await get('127.0.0.1', port, '/api/artifacts', { Host: `attacker.example:${port}` })) as Answer;
  expect(answer.status).toBe(403);
  expect(answer.body).toContain('not a loopback name');
});

test('a non-loopback --host needs a token; with one, requests without it are refused and ?token= lets a browser in', async () => {
  const refused = cli(['ui', '--port', '0', '--host', '0.0.0.0'], env);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('give a token with --token T');
  const token = 'a-long-enough-secret-token';
  const server = await ui(['--host', '0.0.0.0', '--token', token]);
  const port = Number(new URL(server.url).port);
  const address = externalAddress();
  expect(((await get(address, port, '/api/artifacts')) as Answer).status).toBe(401);
  const entry = (await get(address, port, `/?token=${token}`)) as Answer;
  expect(entry.status).toBe(303);
  const cookie = String(entry.headers['set-cookie']).split(';')[0]!;
  expect(String(entry.headers['set-cookie'])).toContain('HttpOnly');
  expect(((await get(address, port, '/api/artifacts', { Cookie: cookie })) as Answer).status).toBe(200);
  expect(((await get(address, port, '/api/artifacts', { Authorization: `Bearer ${token}` })) as Answer).status).toBe(200);
  expect(((await get(address, port, '/api/artifacts', { Authorization: 'Bearer wrong-token-of-some-length' })) as Answer).status).toBe(401);
});
