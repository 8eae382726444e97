/** Injection token of the resolved console options. */
export const CONSOLE_OPTIONS = Symbol('nestjs-durable-scheduler:console-options');

/** Injection token of the app's guard (an instance), or null with `allowUnauthenticated`. */
export const CONSOLE_APP_GUARD = Symbol('nestjs-durable-scheduler:console-app-guard');

/** The header a state-changing request carries its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** The cookie holding the CSRF token (HttpOnly; the page reads the token from its own markup). */
export const CSRF_COOKIE = 'scheduler_console_csrf';

/** The header the page sets when it asks for the main content only (its periodic refresh). */
export const FRAGMENT_HEADER = 'x-console-fragment';

/** The window of the overview's run counts. */
export const RUN_STATS_WINDOW_MS = 60 * 60 * 1000;
