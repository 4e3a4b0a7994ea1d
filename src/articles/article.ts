/** An article as parsed from one file in the seeds folder. */
export interface Article {
  /** File name without extension; stable across edits, used in citations and eval labels. */
  readonly id: string;
  /** File name relative to the seeds folder. */
  readonly file: string;
  readonly title: string;
  /** ISO date (`2025-09-05`), or null when the file has no date line. */
  readonly date: string | null;
  readonly category: string | null;
  readonly url: string | null;
  /** Body paragraphs in order; citations number them from 1. */
  readonly paragraphs: readonly string[];
  /** Hash of the parsed content: unchanged content keeps its embeddings on reindex. */
  readonly contentHash: string;
}

/** A searchable unit: one body paragraph, or one part of a paragraph too long for the model. */
export interface Passage {
  /** `articleId#paragraph` or `articleId#paragraph.part` for split paragraphs. */
  readonly id: string;
  readonly articleId: string;
  readonly title: string;
  readonly date: string | null;
  readonly category: string | null;
  readonly url: string | null;
  /** 1-based body paragraph number, shared by all parts of a split paragraph. */
  readonly paragraph: number;
  /** 1-based part within the paragraph; `parts` is 1 for paragraphs that were not split. */
  readonly part: number;
  readonly parts: number;
  readonly text: string;
  /** Hash of everything that goes into the passage's embedding. */
  readonly hash: string;
}
