import type { AuditActor } from './audit.ts';
import { generateArticleId } from './article-store.ts';
import { completeChange, readSubmission, type ArticleChange, type ArticleDeskDependencies, type ArticleSubmission } from './article-change.ts';

/**
 * Adds an article: parsed by the indexer's own parser (a refusal changes nothing), stored under
 * an id Quelle generates, recorded, and indexed (unchanged passages keep their vectors).
 */
export async function addArticle(deps: ArticleDeskDependencies, submission: ArticleSubmission, actor: AuditActor): Promise<ArticleChange> {
  const stored = await storeArticle(deps, submission, actor);
  return completeChange(deps, stored, actor, { recorded: true });
}

/**
 * The first half of {@link addArticle}: parse, store and record, without indexing; for callers
 * that add many articles and then update the index once (the news feeds).
 */
export async function storeArticle(
  deps: Omit<ArticleDeskDependencies, 'index'>,
  submission: ArticleSubmission,
  actor: AuditActor,
): Promise<Omit<ArticleChange, 'index'>> {
  const { text, article } = readSubmission(submission);
  const now = (deps.now ?? (() => new Date()))();
  const { id, file } = await deps.store.create(text, () => generateArticleId(article.title, article.date, now));
  await deps.audit.record({ action: 'add', articleId: id, title: article.title, file, actor, at: now });
  return { action: 'add', id, file, title: article.title, paragraphs: article.paragraphs.length };
}
