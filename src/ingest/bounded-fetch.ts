/**
 * HTTP GET with the limits every download from outside needs: a time limit for the whole
 * exchange, a size cap enforced while reading (a declared Content-Length over the cap is refused
 * before the body is read; a body that grows past it is cut off), and no redirects unless asked.
 */

/** Why a download failed, in a form callers can act on (retry later, skip for good, say why). */
export class FetchFailedError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'tooLarge' | 'status' | 'network' | 'refused',
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FetchFailedError';
  }
}

export interface BoundedFetchOptions {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly headers?: Record<string, string>;
  /** Follow redirects (feeds and pages move), at most 5; default: refuse them. */
  readonly followRedirects?: boolean;
  /** Checked for the URL and every redirect target: a reason refuses it before it is requested. */
  readonly allowUrl?: (url: URL) => string | null;
  readonly signal?: AbortSignal;
}

export interface BoundedResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body, or empty for 304 Not Modified. */
  readonly body: Uint8Array;
  /** The URL finally answered (after redirects). */
  readonly url: string;
}

/** GETs `url` within the limits; a status of 400 or more is a {@link FetchFailedError} of kind `status`. */
export async function fetchBounded(url: string, options: BoundedFetchOptions): Promise<BoundedResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const seconds = Math.round(options.timeoutMs / 100) / 10;
  const failed = (error: unknown): FetchFailedError => {
    if (error instanceof FetchFailedError) return error;
    if (timeout.aborted) return new FetchFailedError(`${url} did not answer within ${seconds} s`, 'timeout', null, { cause: error });
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return new FetchFailedError(`${url} cannot be reached (${cause?.code ?? cause?.message ?? (error as Error).message})`, 'network', null, { cause: error });
  };
  let response: Response;
  let current = url;
  try {
    for (let redirects = 0; ; redirects++) {
      const refusal = options.allowUrl?.(new URL(current)) ?? null;
      if (refusal !== null) throw new FetchFailedError(`${current} is not fetched: ${refusal}`, 'refused');
      // Redirects are followed here, one by one, so that each target is checked first.
      response = await fetch(current, { headers: options.headers, redirect: options.followRedirects ? 'manual' : 'error', signal });
      const location = response.headers.get('location');
      if (!options.followRedirects || response.status < 300 || response.status > 399 || location === null) break;
      await response.body?.cancel().catch(() => {});
      if (redirects >= 5) throw new FetchFailedError(`${url} redirects more than 5 times`, 'status', response.status);
      current = new URL(location, current).href;
    }
  } catch (error) {
    throw failed(error);
  }
  try {
    if (response.status >= 400) throw new FetchFailedError(`${url} answered HTTP ${response.status}`, 'status', response.status);
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    const tooLarge = (): FetchFailedError =>
      new FetchFailedError(`${url} is larger than ${(options.maxBytes / 1048576).toFixed(1)} MiB`, 'tooLarge', response.status);
    if (declared > options.maxBytes) throw tooLarge();
    const chunks: Uint8Array[] = [];
    let length = 0;
    if (response.body) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        length += chunk.length;
        if (length > options.maxBytes) throw tooLarge();
        chunks.push(chunk);
      }
    }
    return { status: response.status, headers: response.headers, body: Buffer.concat(chunks, length), url: current };
  } catch (error) {
    // Stop the transfer: a 50 MB page must not keep arriving after it was refused.
    await response.body?.cancel().catch(() => {});
    throw failed(error);
  }
}
