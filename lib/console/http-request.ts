/**
 * The few things the console reads from a request, the same on Express and Fastify (both requests
 * carry Node's `headers`, `method`, `protocol`, and the path in `originalUrl` or `url`).
 */
export interface ConsoleRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  url?: string;
  originalUrl?: string;
  protocol?: string;
}

/** A header's value (the first, if sent several times). */
export function headerOf(request: ConsoleRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The request's path, as sent (still percent-encoded), without the query and any trailing slash. */
export function pathOf(request: ConsoleRequest): string {
  const url = request.originalUrl ?? request.url ?? '/';
  const path = url.split('?')[0] ?? '/';
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * The console's root as the browser sees it (global prefix included), from a request to a page that
 * sits `depth` segments below it: links and the CSRF cookie's path are built on it.
 */
export function rootOf(request: ConsoleRequest, depth: number): string {
  const segments = pathOf(request).split('/');
  return segments.slice(0, segments.length - depth).join('/');
}

/** Whether the browser reached us over HTTPS (directly; behind a proxy, with the app's trust proxy setting). */
export function isSecure(request: ConsoleRequest): boolean {
  return request.protocol === 'https';
}

/** A cookie's value from the Cookie header, or null. */
export function cookieOf(request: ConsoleRequest, name: string): string | null {
  const header = headerOf(request, 'cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return null;
}
