/**
 * The query policy: question-frame words count at a fifth, and the list (drawn from the XQuAD-de
 * dev questions) holds on questions written outside the eval sets.
 */
import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/index/analyzer.ts';
import { QueryPolicy } from '../../src/retrieval/query-policy.ts';

const analyzer = Analyzer.load();
const policy = new QueryPolicy(analyzer);
const weightsOf = (question: string): Record<string, number> => Object.fromEntries(analyzer.analyze(question).map((term) => [term, policy.termWeight(term)]));

describe('QueryPolicy', () => {
  it('counts the words that frame a question at 0.2 and its subject at 1, on questions from outside the eval sets', () => {
    // Written for this test, in the style of a community's questions about its own articles.
    expect(weightsOf('Wie heißt der neue Trainer des Vereins?')).toEqual({ [analyzer.term('neue')!]: 1, [analyzer.term('Trainer')!]: 1, [analyzer.term('Vereins')!]: 1, [analyzer.term('heißt')!]: 0.2 });
    expect(weightsOf('In welchem Jahr wurde die Brücke gebaut?')[analyzer.term('Jahr')!]).toBe(0.2);
    expect(weightsOf('What is the name of the new bridge?')[analyzer.term('name')!]).toBe(0.2);
    expect(weightsOf('Welche Art von Strom liefert das Kraftwerk?')[analyzer.term('Kraftwerk')!]).toBe(1);
  });

  it('gives every other term the full weight', () => {
    for (const word of ['Gemeinderat', 'Budget', 'Schule', 'Hochwasser']) expect(policy.termWeight(analyzer.term(word)!), word).toBe(1);
  });
});
