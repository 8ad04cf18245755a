/** Runs jobs one at a time, in order. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  /** Queues a job; the returned promise settles with it. */
  run<T>(job: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(job);
    this.tail = result.then(
      () => {
        this.pending--;
      },
      () => {
        this.pending--;
      },
    );
    return result;
  }

  /** Resolves when every job queued so far has settled. */
  async idle(): Promise<void> {
    while (this.pending > 0) {
      await this.tail;
    }
  }
}
