import {
  ForbiddenException,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import type { ResolvedConsoleOptions } from './console-options.js';
import { CONSOLE_APP_GUARD, CONSOLE_OPTIONS } from './console.constants.js';
import { csrfRefusal, isStateChanging } from './csrf.js';
import { consoleMessages } from './errors/messages.js';
import type { ConsoleRequest } from './http-request.js';

/**
 * Every console route goes through this guard: first the app's own guard (so its authentication
 * applies), then, for a state-changing request, the read-only switch and the CSRF check.
 */
@Injectable()
export class ConsoleAccessGuard implements CanActivate {
  constructor(
    @Inject(CONSOLE_OPTIONS) private readonly options: ResolvedConsoleOptions & { path: string },
    @Inject(CONSOLE_APP_GUARD) private readonly appGuard: CanActivate | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.appGuard) {
      const verdict = this.appGuard.canActivate(context);
      const allowed = isObservable(verdict) ? await lastValueFrom(verdict) : await verdict;
      if (!allowed) return false;
    }
    const request = context.switchToHttp().getRequest<ConsoleRequest>();
    if (isStateChanging(request)) {
      if (this.options.readOnly) throw new ForbiddenException(consoleMessages.readOnly());
      const refusal = csrfRefusal(request, `/${this.options.path}/api/csrf`.replace('//', '/'));
      if (refusal !== null) throw new ForbiddenException(refusal);
    }
    return true;
  }
}
