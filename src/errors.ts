/**
 * One catalogue of error codes. Every error the product raises on purpose is a {@link QuelleError}
 * whose message says what to do; `UserError` marks the ones whose message is safe to show in Discord.
 */
export const ErrorCode = {
  ArticleUnusable: 'ARTICLE_UNUSABLE',
  SeedsMissing: 'SEEDS_MISSING',
  ModelUnavailable: 'MODEL_UNAVAILABLE',
  EmbeddingFailed: 'EMBEDDING_FAILED',
  IndexMissing: 'INDEX_MISSING',
  IndexCorrupt: 'INDEX_CORRUPT',
  IndexIncompatible: 'INDEX_INCOMPATIBLE',
  IndexLocked: 'INDEX_LOCKED',
  ModeUnavailable: 'MODE_UNAVAILABLE',
  InvalidConfig: 'INVALID_CONFIG',
  InvalidInput: 'INVALID_INPUT',
  GatewayRefused: 'GATEWAY_REFUSED',
  DatabaseTooNew: 'DATABASE_TOO_NEW',
  DatabaseUnusable: 'DATABASE_UNUSABLE',
  DatabaseMissing: 'DATABASE_MISSING',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class QuelleError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuelleError';
    this.code = code;
  }
}

/** An expected failure whose message can be shown to a Discord user as it is. */
export class UserError extends QuelleError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'UserError';
  }
}

export function isQuelleError(error: unknown, code?: ErrorCode): error is QuelleError {
  return error instanceof QuelleError && (code === undefined || error.code === code);
}

/** The message of anything thrown, for logs and CLI output. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
