/**
 * The Jest environment of the in-process fault runs (`@jest-environment` docblock): Node's, plus a
 * record of unhandled promise rejections. Jest would otherwise fail the running test with the first
 * one, outside the property, so fast-check could neither report the operations that caused it nor
 * shrink them. Here each one is recorded in `globalThis.__faultUnhandled` and marked handled (so
 * Jest leaves it to the property), and the run that produced it fails with an
 * `unhandled-rejection` violation.
 */
import { TestEnvironment } from 'jest-environment-node';

export default class FaultEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__faultUnhandled = [];
  }

  handleTestEvent(event) {
    if (event.name === 'error' && event.promise) {
      this.global.__faultUnhandled.push(event.error);
      event.promise.catch(() => undefined);
    }
  }
}
