/**
 * Who may talk to the UI server. It binds loopback by default; a non-loopback host is refused without a token.
 * With a token, a request carries it as `Authorization: Bearer T`, or as the cookie set when the page was first
 * opened with `?token=T`. Without one (loopback only), the Host header must name a loopback address, so a web page
 * elsewhere cannot reach the API through a DNS name rebound to 127.0.0.1.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { UsageError } from '../errors';

export const TOKEN_COOKIE = 'artifacts_ui_token';
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (LOOPBACK_NAMES.has(host) || LOOPBACK_NAMES.has(bare)) return true;
  return net.isIPv4(bare) ? bare.startsWith('127.') : bare === '::ffff:127.0.0.1';
}

/** Refuses a host that is not loopback when no token guards it, naming what to do. */
export function checkBinding(host: string, token: string | undefined): void {
  if (isLoopbackHost(host) || token) return;
  throw new UsageError(`--host ${host} would let other machines read every artifact of this store: give a token with --token T (or ARTIFACTS_UI_TOKEN), or leave --host out to bind 127.0.0.1.`);
}

/** A token is at least 16 characters, so that guessing it is not practical. */
export function checkToken(token: string | undefined): void {
  if (token !== undefined && token.length < 16) throw new UsageError('--token is too short: use at least 16 random characters (e.g. `openssl rand -hex 16`).');
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** What a request may do: `ok`, `set-cookie` (the token came in the URL: remember it), or why it is refused. */
export type Access = { readonly kind: 'ok' } | { readonly kind: 'set-cookie'; readonly token: string } | { readonly kind: 'refused'; readonly status: number; readonly why: string };

export function accessOf(req: IncomingMessage, url: URL, token: string | undefined): Access {
  if (!token) {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    return isLoopbackHost(host) ? { kind: 'ok' } : { kind: 'refused', status: 403, why: `Host ${JSON.stringify(host)} is not a loopback name; open the UI at http://127.0.0.1.` };
  }
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const given = bearer ?? cookieValue(req, TOKEN_COOKIE);
  if (given !== undefined && sameSecret(given, token)) return { kind: 'ok' };
  const inUrl = url.searchParams.get('token');
  if (inUrl !== null && sameSecret(inUrl, token)) return { kind: 'set-cookie', token };
  return { kind: 'refused', status: 401, why: 'This UI needs its token: open it as http://HOST:PORT/?token=T (the token given to `artifacts ui --token`).' };
}
