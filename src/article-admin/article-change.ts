import type { Article, Passage } from '../articles/article.ts';
import { describeError } from '../errors.ts';
import type { IndexSummary } from '../indexer/run-indexer.ts';
import type { ArticleStore } from './article-store.ts';
import type { AuditActor, AuditSink } from './audit.ts';
import type { IndexUpdater } from './index-updater.ts';
import { articleFromFields, parseSubmission, type ArticleFields } from './submission.ts';

/** What the article use cases work with; the bot and the command line pass their own. */
export interface ArticleDeskDependencies {
  readonly store: ArticleStore;
  readonly index: IndexUpdater;
  readonly audit: AuditSink;
  readonly now?: () => Date;
}

/** A new or replacing article: a file's bytes and name, or the fields of a form. */
export type ArticleSubmission =
  | { readonly kind: 'file'; readonly bytes: Uint8Array; readonly name: string }
  | { readonly kind: 'form'; readonly fields: ArticleFields };

/** Whether the change serves yet: indexed (with a sample citation), or stored but not indexed, and why. */
export type IndexOutcome =
  | { readonly ok: true; readonly summary: IndexSummary; readonly sample: Passage | null }
  | { readonly ok: false; readonly reason: string };

/** The outcome of an add, replace or remove. */
export interface ArticleChange {
  readonly action: 'add' | 'replace' | 'remove';
  readonly id: string;
  readonly file: string;
  readonly title: string;
  /** Body paragraphs (0 for a removal). */
  readonly paragraphs: number;
  readonly index: IndexOutcome;
}

/** The submission parsed by the indexer's own parser; throws ArticleRefusedError before anything is written. */
export function readSubmission(submission: ArticleSubmission): { text: string; article: Article } {
  return submission.kind === 'file' ? parseSubmission(submission.bytes, submission.name) : articleFromFields(submission.fields);
}

/**
 * After a change is on disk: records it (who and when), brings the index up to date and reports
 * whether the change serves. A failed build does not undo the change: the next build indexes it.
 */
export async function completeChange(
  deps: ArticleDeskDependencies,
  change: Omit<ArticleChange, 'index'>,
  actor: AuditActor,
  { recorded = false }: { recorded?: boolean } = {},
): Promise<ArticleChange> {
  if (!recorded) await deps.audit.record({ action: change.action, articleId: change.id, title: change.title, file: change.file, actor, at: (deps.now ?? (() => new Date()))() });
  let index: IndexOutcome;
  try {
    const update = await deps.index.update();
    const sample = change.action === 'remove' ? null : (update.index.passages.find((passage) => passage.articleId === change.id) ?? null);
    index = { ok: true, summary: update.summary, sample };
  } catch (error) {
    index = { ok: false, reason: describeError(error) };
  }
  return { ...change, index };
}
