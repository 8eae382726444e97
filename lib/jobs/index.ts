// The built-in jobs and the errors they throw.
export * from './print-job.js';
export * from './shell-job.js';
export * from './curl-job.js';
export * from './errors/shell-job-failed.error.js';
export * from './errors/http-job-failed.error.js';
