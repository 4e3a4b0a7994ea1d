import type { AuditActor } from './audit.ts';
import { completeChange, type ArticleChange, type ArticleDeskDependencies } from './article-change.ts';
import { notFound } from './replace-article.ts';
import { ArticleRefusedError } from './submission.ts';

/** Removes article `id` from the seeds folder and the index. The last article cannot go: a build needs one. */
export async function removeArticle(deps: ArticleDeskDependencies, id: string, actor: AuditActor): Promise<ArticleChange> {
  const files = await deps.store.list();
  if (!files.has(id)) throw notFound(id);
  if (files.size === 1) throw new ArticleRefusedError('This is the only article; the index needs at least one. Add another article first.', 'lastArticle');
  const title = deps.index.current()?.articles.find((article) => article.id === id)?.title ?? id;
  const removed = await deps.store.remove(id);
  if (removed === null) throw notFound(id);
  return completeChange(deps, { action: 'remove', id, file: removed.file, title, paragraphs: 0 }, actor);
}
