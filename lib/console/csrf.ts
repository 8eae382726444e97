import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CSRF_COOKIE, CSRF_HEADER } from './console.constants.js';
import { consoleMessages } from './errors/messages.js';
import { cookieOf, headerOf, isSecure, type ConsoleRequest } from './http-request.js';

/**
 * CSRF protection of the console's state-changing requests, without server state (so that it works
 * behind a load balancer across instances): a random token in an HttpOnly, SameSite=Strict cookie,
 * which the request must repeat in the `x-csrf-token` header (double submit). Another site can
 * neither read the token (the page that holds it is same-origin) nor set a custom header on a
 * cross-site request without CORS; `Sec-Fetch-Site`, when the browser sends it, must say same-origin.
 */

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request may change state (and so needs the CSRF check): anything but GET, HEAD, OPTIONS. */
export function isStateChanging(request: ConsoleRequest): boolean {
  return !SAFE_METHODS.has((request.method ?? 'GET').toUpperCase());
}

/** The request's token when its cookie holds a well-formed one, else a new one to set. */
export function csrfTokenFor(request: ConsoleRequest): { token: string; isNew: boolean } {
  const existing = cookieOf(request, CSRF_COOKIE);
  if (existing !== null && TOKEN.test(existing)) return { token: existing, isNew: false };
  return { token: randomBytes(32).toString('base64url'), isNew: true };
}

/** The Set-Cookie value for a token, scoped to the console's root. */
export function csrfCookie(token: string, root: string, request: ConsoleRequest): string {
  const secure = isSecure(request) ? '; Secure' : '';
  return `${CSRF_COOKIE}=${token}; Path=${root === '' ? '/' : root}; HttpOnly; SameSite=Strict${secure}`;
}

/** Why a request is refused, or null when it may go on (safe methods always may). */
export function csrfRefusal(request: ConsoleRequest, tokenUrl: string): string | null {
  if (!isStateChanging(request)) return null;
  const site = headerOf(request, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return consoleMessages.csrfCrossSite(site);
  const cookie = cookieOf(request, CSRF_COOKIE);
  const header = headerOf(request, CSRF_HEADER);
  if (cookie === null || header === undefined || !TOKEN.test(cookie) || !sameText(cookie, header)) {
    return consoleMessages.csrfMissing(tokenUrl);
  }
  return null;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
