// The built-in jobs. Their error classes (ShellJobFailedError, HttpJobFailedError) live with the
// other errors in core/errors and reach users through the package entry's export of those.
export * from './print-job.js';
export * from './shell-job.js';
export * from './curl-job.js';
