import { addArticle } from './add-article.ts';
import type { ArticleChange, ArticleDeskDependencies, ArticleSubmission } from './article-change.ts';
import type { AuditActor } from './audit.ts';
import { listArticles, suggestArticles, type ArticleListing } from './list-articles.ts';
import { removeArticle } from './remove-article.ts';
import { replaceArticle } from './replace-article.ts';
import { showArticle, type ArticleDetails } from './show-article.ts';

/**
 * The article use cases bound to their dependencies, for the bot's commands (the command line
 * calls the same use cases). Each use case lives in its own module.
 */
export class ArticleDesk {
  constructor(readonly dependencies: ArticleDeskDependencies) {}

  add(submission: ArticleSubmission, actor: AuditActor): Promise<ArticleChange> {
    return addArticle(this.dependencies, submission, actor);
  }

  replace(id: string, submission: ArticleSubmission, actor: AuditActor): Promise<ArticleChange> {
    return replaceArticle(this.dependencies, id, submission, actor);
  }

  remove(id: string, actor: AuditActor): Promise<ArticleChange> {
    return removeArticle(this.dependencies, id, actor);
  }

  show(id: string): Promise<ArticleDetails> {
    return showArticle(this.dependencies, id);
  }

  list(): Promise<ArticleListing[]> {
    return listArticles(this.dependencies);
  }

  suggest(query: string, limit: number): { id: string; title: string }[] {
    return suggestArticles(this.dependencies, query, limit);
  }
}
