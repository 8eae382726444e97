/** The base class of every error this library throws on purpose: `catch (e) { if (e instanceof SchedulerError) … }`. */
export class SchedulerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
