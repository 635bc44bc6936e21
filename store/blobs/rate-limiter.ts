/** Paces a byte stream to at most `bytesPerSecond`; a no-op when the rate is 0 or undefined. */
export class RateLimiter {
  private readonly started = Date.now();
  private sent = 0;
  constructor(private readonly bytesPerSecond: number | undefined) {}

  async take(bytes: number): Promise<void> {
    if (!this.bytesPerSecond) return;
    this.sent += bytes;
    const dueMs = (this.sent / this.bytesPerSecond) * 1000 - (Date.now() - this.started);
    if (dueMs > 1) await new Promise((resolve) => setTimeout(resolve, dueMs));
  }
}
