/**
 * Removes secrets from text bound for logs or for Discord: bot tokens, and interaction tokens that
 * discord.js puts in the URLs of its errors (`/interactions/{id}/{token}/…`, `/webhooks/{app}/{token}`).
 */

const REDACTED = '[redacted]';

/** A bot token: the base64 user id, a dot, a 6–7 character timestamp, a dot, an HMAC of 27+ characters. */
const BOT_TOKEN = /[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,}/;
const BOT_TOKEN_MIN_LENGTH = 23 + 1 + 6 + 1 + 27;
const TOKEN_IN_PATH = /\/(interactions|webhooks)\/(\d+)\/[\w.-]{20,}/g;

/**
 * A run of the characters tokens are made of (never ending in a dot, which ends a sentence), each
 * perhaps escaped with a backslash: Markdown escaping turns a quoted `a_b` into `a\_b`, which
 * Discord shows as `a_b` again, so the escaped run still shows the token.
 */
const TOKEN_RUN = /\\?[\w-](?:(?:\\?[\w.-])*\\?[\w-])?/g;

/**
 * Pieces of a known secret this long are removed too: an excerpt cut short mid-token still shows
 * most of it. Sixteen characters of base64 do not occur in prose by chance.
 */
const FRAGMENT_LENGTH = 16;

/** Secrets shorter than this are not secrets (and would redact ordinary words). */
const MIN_SECRET_LENGTH = 8;

/**
 * Removes bot-token-shaped strings and interaction tokens in URLs. Needs no configuration, for the
 * places that have no {@link SecretRedactor} at hand; a redactor also removes the configured secrets.
 */
export function redactSecrets(text: string): string {
  return redactShapes(text, [], BOT_TOKEN_MIN_LENGTH);
}

/**
 * Removes the configured secrets (whole, Markdown-escaped, or in pieces of {@link FRAGMENT_LENGTH}
 * characters) and everything {@link redactSecrets} removes. One is created with the bot's
 * configuration and shared by the logger and the guard on outgoing Discord requests.
 */
export class SecretRedactor {
  readonly #secrets: readonly string[];
  readonly #fragments: readonly string[];
  /** Runs shorter than this can hold neither a fragment nor a token shape. */
  readonly #shortestMatch: number;

  constructor(secrets: Iterable<string>) {
    this.#secrets = [...new Set([...secrets].filter((secret) => secret.length >= MIN_SECRET_LENGTH))];
    const fragments = new Set<string>();
    for (const secret of this.#secrets) {
      const length = Math.min(FRAGMENT_LENGTH, secret.length);
      for (let start = 0; start + length <= secret.length; start++) fragments.add(secret.slice(start, start + length));
    }
    this.#fragments = [...fragments];
    this.#shortestMatch = Math.min(BOT_TOKEN_MIN_LENGTH, ...this.#fragments.map((fragment) => fragment.length));
  }

  /** The text with every secret replaced by `[redacted]`. */
  redact(text: string): string {
    let result = text;
    for (const secret of this.#secrets) result = result.replaceAll(secret, REDACTED);
    return redactShapes(result, this.#fragments, this.#shortestMatch);
  }

  /**
   * A copy of a JSON-like value (what `JSON.parse` returns) with every string, keys included,
   * redacted. Redacting the serialised JSON instead could cut an escape sequence in half.
   */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.redact(key), this.redactValue(item)]));
    }
    return value;
  }
}

function redactShapes(text: string, fragments: readonly string[], shortestMatch: number): string {
  return text.replace(TOKEN_IN_PATH, `/$1/$2/${REDACTED}`).replace(TOKEN_RUN, (run) => {
    if (run.length < shortestMatch) return run;
    const shown = run.includes('\\') ? run.replace(/\\(.)/g, '$1') : run;
    return BOT_TOKEN.test(shown) || fragments.some((fragment) => shown.includes(fragment)) ? REDACTED : run;
  });
}
