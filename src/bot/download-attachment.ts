import { ArticleRefusedError, checkSubmittedFileName, checkSubmittedSize, MAX_SUBMISSION_BYTES } from '../article-admin/submission.ts';
import { describeError } from '../errors.ts';
import { fetchBounded } from '../ingest/bounded-fetch.ts';

/** What the bot reads of an attachment (discord.js' Attachment has these). */
export interface AttachmentRef {
  readonly name: string;
  readonly size: number;
  readonly url: string;
}

/** How long downloading an article may take. */
const DOWNLOAD_TIMEOUT_MS = 15_000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Downloads an article attached to a command, from the URL Discord gives and nowhere else, after
 * refusing a path-like name, another file type or a size over the limit (nothing is downloaded
 * then). The URL must be https, or http on this machine (the local Discord twin); the download is
 * capped in size and time whatever the attachment claimed. Failures are {@link ArticleRefusedError}s.
 */
export async function downloadAttachment(attachment: AttachmentRef): Promise<Uint8Array> {
  checkSubmittedFileName(attachment.name);
  checkSubmittedSize(attachment.size);
  const url = URL.canParse(attachment.url) ? new URL(attachment.url) : null;
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))) {
    throw new ArticleRefusedError('The attachment has no https address to download it from. Attach the file again.', 'download');
  }
  try {
    const response = await fetchBounded(url.href, { maxBytes: MAX_SUBMISSION_BYTES, timeoutMs: DOWNLOAD_TIMEOUT_MS });
    return response.body;
  } catch (error) {
    const tooLarge = (error as { kind?: string }).kind === 'tooLarge';
    throw new ArticleRefusedError(
      tooLarge ? `The file is larger than ${MAX_SUBMISSION_BYTES / 1048576} MiB. Split it into several articles.` : `The file could not be downloaded (${describeError(error)}). Try again.`,
      tooLarge ? 'tooLarge' : 'download',
      null,
      null,
      { cause: error },
    );
  }
}
