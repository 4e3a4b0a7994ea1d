import type { AuditActor } from './audit.ts';
import { completeChange, readSubmission, type ArticleChange, type ArticleDeskDependencies, type ArticleSubmission } from './article-change.ts';
import { ArticleRefusedError } from './submission.ts';

/** Replaces article `id`'s text (checked first: a refusal changes nothing); the id and file name stay. */
export async function replaceArticle(deps: ArticleDeskDependencies, id: string, submission: ArticleSubmission, actor: AuditActor): Promise<ArticleChange> {
  const { text, article } = readSubmission(submission);
  const replaced = await deps.store.replace(id, text);
  if (replaced === null) throw notFound(id);
  return completeChange(deps, { action: 'replace', id, file: replaced.file, title: article.title, paragraphs: article.paragraphs.length }, actor);
}

/** No article has this id. */
export function notFound(id: string): ArticleRefusedError {
  return new ArticleRefusedError(`No article has the id "${id.slice(0, 100)}". Pick one from the suggestions, or list them with \`npm run articles -- list\`.`, 'notFound');
}
