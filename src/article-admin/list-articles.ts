import type { ArticleDeskDependencies } from './article-change.ts';

/** An article file and what the serving index knows of it. */
export interface ArticleListing {
  readonly id: string;
  readonly file: string;
  /** Null when the article is not (yet) in the serving index. */
  readonly title: string | null;
  readonly date: string | null;
  readonly url: string | null;
  readonly passages: number;
}

/** Every article file in the seeds folder, with its title where the serving index has it. */
export async function listArticles(deps: Pick<ArticleDeskDependencies, 'store' | 'index'>): Promise<ArticleListing[]> {
  const indexed = new Map((deps.index.current()?.articles ?? []).map((article) => [article.id, article]));
  return [...(await deps.store.list())].map(([id, file]) => {
    const article = indexed.get(id);
    return { id, file, title: article?.title ?? null, date: article?.date ?? null, url: article?.url ?? null, passages: article?.passages ?? 0 };
  });
}

/** Indexed articles whose title or id contains every word of `query` (case-insensitive), best first, at most `limit`. */
export function suggestArticles(deps: Pick<ArticleDeskDependencies, 'index'>, query: string, limit: number): { id: string; title: string }[] {
  const words = query.toLocaleLowerCase('de').split(/\s+/).filter(Boolean);
  const articles = deps.index.current()?.articles ?? [];
  const scored = articles
    .map((article) => {
      const haystack = `${article.title} ${article.id}`.toLocaleLowerCase('de');
      if (!words.every((word) => haystack.includes(word))) return null;
      // Titles that start with the query first, then newer articles.
      return { article, starts: words.length > 0 && article.title.toLocaleLowerCase('de').startsWith(words[0]!) ? 1 : 0 };
    })
    .filter((entry) => entry !== null)
    .sort((a, b) => b.starts - a.starts || (b.article.date ?? '').localeCompare(a.article.date ?? '') || a.article.title.localeCompare(b.article.title));
  return scored.slice(0, limit).map(({ article }) => ({ id: article.id, title: article.title }));
}
