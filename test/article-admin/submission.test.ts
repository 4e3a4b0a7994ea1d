/**
 * Submitted articles are checked by the indexer's own parser; a refusal says what and where
 * (the line, or the form field) so that the bot can say it in German too.
 */
import { describe, expect, it } from 'vitest';
import { articleFromFields, ArticleRefusedError, checkSubmittedFileName, parseSubmission } from '../../src/article-admin/submission.ts';

function refusal(run: () => unknown): ArticleRefusedError {
  try {
    run();
  } catch (error) {
    if (error instanceof ArticleRefusedError) return error;
    throw error;
  }
  throw new Error('not refused');
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('parseSubmission', () => {
  it.each([
    ['invalid YAML', '---\ntitle: ok\ndate: [kaputt\n---\n\nText.\n', 'frontMatter', 3],
    ['a javascript: url', '---\ntitle: ok\n\nurl: javascript:alert(1)\n---\n\nText.\n', 'unsafeUrl', 4],
    ['no body after a heading title', 'Politik\n\n# Nur ein Titel\n', 'noBody', 3],
    ['no body after a front matter title', '---\ntitle: Nur Titel\n---\n\n## Zwischentitel\n', 'noBody', 2],
    ['control characters', 'Titel\n\nText\n\n\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008', 'binary', 5],
  ] as const)('%s: problem and line', (_label, text, problem, line) => {
    const error = refusal(() => parseSubmission(bytes(text), 'a.md'));
    expect(error.problem).toBe(problem);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`\\(line ${line}\\)\\.$`));
  });

  it('finds the first invalid UTF-8 byte line, and keeps valid text as it is', () => {
    const latin1 = Buffer.concat([bytes('Titel\n\nEins.\n\nZwei '), Buffer.from([0xe4]), bytes('.\n')]);
    expect(refusal(() => parseSubmission(latin1, 'a.txt'))).toMatchObject({ problem: 'encoding', line: 5 });
    expect(parseSubmission(bytes('\uFEFFTitel\n\nText über Lindau.\n'), 'a.txt').text).toBe('Titel\n\nText über Lindau.\n');
  });
});

describe('checkSubmittedFileName', () => {
  it.each(['../../.env.md', 'a/b.md', 'C:\\x.md', '.hidden.md', 'zeile\nzwei.md', ''])('refuses %j as a path-like name', (name) => {
    expect(refusal(() => checkSubmittedFileName(name)).problem).toBe('fileName');
  });

  it('refuses other file types, and takes plain .txt and .md names', () => {
    expect(refusal(() => checkSubmittedFileName('bild.png')).problem).toBe('fileType');
    expect(() => checkSubmittedFileName('Artikel vom 5. September.MD')).not.toThrow();
  });
});

describe('articleFromFields', () => {
  const fields = { title: 'Titel', date: '', category: '', url: '', text: 'Eins.\nZwei.' };

  it('writes front matter and one paragraph per line', () => {
    const { text, article } = articleFromFields({ ...fields, date: '5. März 2025', category: 'Lokal', url: 'https://example.org/x' });
    expect(text).toBe('---\ntitle: Titel\ndate: 2025-03-05\ncategory: Lokal\nurl: https://example.org/x\n---\n\nEins.\n\nZwei.\n');
    expect(article.paragraphs).toEqual(['Eins.', 'Zwei.']);
  });

  it.each([
    [{ title: '  ' }, 'title', 'noTitle'],
    [{ date: 'gestern' }, 'date', 'badDate'],
    [{ url: 'javascript:alert(1)' }, 'url', 'unsafeUrl'],
    [{ text: '\n \n' }, 'text', 'noBody'],
  ] as const)('names the field at fault: %j', (change, field, problem) => {
    expect(refusal(() => articleFromFields({ ...fields, ...change }))).toMatchObject({ field, problem });
  });

  it('keeps a title that looks like YAML as text', () => {
    const { article } = articleFromFields({ ...fields, title: 'key: value # not a comment', category: '- Liste' });
    expect(article.title).toBe('key: value # not a comment');
    expect(article.category).toBe('- Liste');
  });
});
