import { PrintJob } from '../../lib/jobs/print-job.js';
import { InvalidArgumentError } from '../../lib/core/errors/invalid-argument.error.js';
import { capturingLogger, makeContext, makeTask } from './job-test-kit.js';

describe('PrintJob', () => {
  it("has the kind 'print' unless told otherwise", () => {
    expect(new PrintJob().kind).toBe('print');
    expect(new PrintJob({ kind: 'echo' }).kind).toBe('echo');
    expect(() => new PrintJob({ kind: '' })).toThrow(InvalidArgumentError);
  });

  it('logs a string payload through ctx.logger and returns nothing', async () => {
    const { ctx, logger } = makeContext();
    const outcome = await new PrintJob().execute(makeTask('print', 'Hello, world!'), ctx);
    expect(outcome).toBeUndefined();
    expect(logger.lines).toEqual([{ level: 'log', message: 'Hello, world!' }]);
  });

  it('logs a Buffer payload as utf8 text', async () => {
    const { ctx, logger } = makeContext();
    await new PrintJob().execute(makeTask('print', Buffer.from('héllo ✓', 'utf8')), ctx);
    expect(logger.lines.map((l) => l.message)).toEqual(['héllo ✓']);
  });

  it('logs other JSON payloads as JSON', async () => {
    const { ctx, logger } = makeContext();
    const job = new PrintJob();
    await job.execute(makeTask('print', { order: 42, tags: ['a'] }), ctx);
    await job.execute(makeTask('print', null), ctx);
    await job.execute(makeTask('print', 7), ctx);
    expect(logger.lines.map((l) => l.message)).toEqual(['{"order":42,"tags":["a"]}', 'null', '7']);
  });

  it('logs to the logger it was given instead of ctx.logger', async () => {
    const { ctx, logger } = makeContext();
    const own = capturingLogger();
    await new PrintJob({ kind: 'echo', logger: own }).execute(makeTask('echo', 'to mine'), ctx);
    expect(own.lines).toEqual([{ level: 'log', message: 'to mine' }]);
    expect(logger.lines).toEqual([]);
  });
});
