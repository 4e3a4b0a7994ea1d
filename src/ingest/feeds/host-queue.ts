/**
 * One request at a time per host: requests to the same host wait for each other, requests to
 * different hosts do not. Sites are not hammered, whatever the number of feeds on them.
 */
export class HostQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `request` once every earlier request to `url`'s host has finished. */
  run<T>(url: string, request: () => Promise<T>): Promise<T> {
    const host = new URL(url).host;
    const previous = this.tails.get(host) ?? Promise.resolve();
    const result = previous.catch(() => {}).then(request);
    const tail = result.catch(() => {});
    this.tails.set(host, tail);
    void tail.then(() => {
      if (this.tails.get(host) === tail) this.tails.delete(host);
    });
    return result;
  }
}
