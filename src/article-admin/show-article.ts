import type { Passage } from '../articles/article.ts';
import type { IndexedArticle } from '../index/search-index.ts';
import type { ArticleDeskDependencies } from './article-change.ts';
import { notFound } from './replace-article.ts';

/** One article as the serving index holds it, with its passages; `indexed` null when it is not indexed yet. */
export interface ArticleDetails {
  readonly id: string;
  readonly file: string;
  readonly indexed: IndexedArticle | null;
  readonly passages: readonly Passage[];
}

/** Article `id`: its file and what the serving index holds of it. */
export async function showArticle(deps: Pick<ArticleDeskDependencies, 'store' | 'index'>, id: string): Promise<ArticleDetails> {
  const file = await deps.store.find(id);
  if (file === null) throw notFound(id);
  const index = deps.index.current();
  const indexed = index?.articles.find((article) => article.id === id) ?? null;
  return { id, file, indexed, passages: index?.passages.filter((passage) => passage.articleId === id) ?? [] };
}
