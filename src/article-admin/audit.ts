import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Who changed the articles. */
export type AuditActor =
  | { readonly via: 'discord'; readonly userId: string; readonly username: string }
  | { readonly via: 'cli'; readonly user: string }
  | { readonly via: 'feed'; readonly feedUrl: string };

/**
 * One change to the articles, as a small typed record: logged, posted to the audit channel, and
 * ready to be stored (a database can implement {@link AuditSink} later).
 */
export interface ArticleAuditEvent {
  readonly action: 'add' | 'replace' | 'remove';
  readonly articleId: string;
  readonly title: string;
  /** The file in the seeds folder. */
  readonly file: string;
  readonly actor: AuditActor;
  readonly at: Date;
}

/** Where audit events go. `record` should not throw: a failed post must not undo a change. */
export interface AuditSink {
  record(event: ArticleAuditEvent): Promise<void>;
}

/** Who, in a few words, for logs and posts. */
export function describeActor(actor: AuditActor): string {
  switch (actor.via) {
    case 'discord':
      return `${actor.username} (${actor.userId}) in Discord`;
    case 'cli':
      return `${actor.user} on the command line`;
    case 'feed':
      return `the feed ${actor.feedUrl}`;
  }
}

/** Logs every event as one line (info). */
export class LogAuditSink implements AuditSink {
  constructor(private readonly logger: Logger) {}

  async record(event: ArticleAuditEvent): Promise<void> {
    this.logger.info(
      { audit: event.action, article: event.articleId, title: event.title, file: event.file, actor: event.actor, at: event.at.toISOString() },
      `Article ${event.action === 'add' ? 'added' : event.action === 'replace' ? 'replaced' : 'removed'}: ${event.articleId} by ${describeActor(event.actor)}`,
    );
  }
}

/** Passes every event to several sinks; one that fails is logged and does not stop the others. */
export class FanOutAuditSink implements AuditSink {
  constructor(
    private readonly sinks: readonly AuditSink[],
    private readonly logger: Logger,
  ) {}

  async record(event: ArticleAuditEvent): Promise<void> {
    await Promise.all(
      this.sinks.map((sink) =>
        sink.record(event).catch((error: unknown) => this.logger.warn({ article: event.articleId, error: describeError(error) }, 'An audit record could not be written')),
      ),
    );
  }
}
