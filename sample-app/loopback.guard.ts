import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';

/** The addresses a request from this machine comes from. */
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The sample app's console guard: only requests from this machine get in. A stand-in for real
 * authentication, good only for a demo listening on 127.0.0.1: behind a reverse proxy on the same
 * host every request would look local. In an application, pass a guard that applies your own auth.
 */
@Injectable()
export class LoopbackGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{
      socket?: { remoteAddress?: string };
      raw?: { socket?: { remoteAddress?: string } };
    }>();
    // Express requests carry the socket; Fastify's carry it on `raw` (and on `socket` too).
    const address = request.socket?.remoteAddress ?? request.raw?.socket?.remoteAddress;
    return address !== undefined && LOOPBACK.has(address);
  }
}
