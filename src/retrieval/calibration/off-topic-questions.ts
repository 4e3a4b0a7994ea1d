/**
 * Questions that a corpus of news articles is not expected to answer, shipped with the product as
 * the negatives of the dense calibration (dense-calibration.ts): how similar the best passage of
 * an index looks to a question it cannot answer. German and English, in parallel, half as full
 * questions and half typed the way people ask in chat (lower case, keywords): general knowledge,
 * cooking and household, old sport results, tech support, other countries' politics and history.
 *
 * Written for calibration only. None of them is among the evaluation sets' off-corpus questions
 * (test/fixtures/eval/unanswerable.jsonl, chat-unanswerable.jsonl), which must stay unseen by
 * calibration so that they measure it; a test checks that the lists do not overlap. A few may
 * still touch what a given corpus reports (a tech column on messenger backups): calibration
 * uses a high quantile of their scores, not the highest, so such a one does not decide it.
 */
export interface OffTopicQuestion {
  readonly question: string;
  readonly lang: 'de' | 'en';
}

/** German and English wording of each question, in the same order. */
const PAIRS: readonly (readonly [de: string, en: string])[] = [
  // General knowledge, nature, science
  ['Wie viele Knochen hat der menschliche Körper?', 'How many bones are in the human body?'],
  ['warum ist der himmel blau', 'why is the sky blue'],
  ['Wie weit ist der Mond von der Erde entfernt?', 'How far is the moon from the earth?'],
  ['Welches Element hat das chemische Symbol Fe?', 'Which element has the chemical symbol Fe?'],
  ['wie lange lebt eine schildkröte', 'how long does a tortoise live'],
  ['Wie viele Herzen hat ein Oktopus?', 'How many hearts does an octopus have?'],
  ['Welcher Vogel kann rückwärts fliegen?', 'Which bird can fly backwards?'],
  ['siedepunkt von wasser auf dem mount everest', 'boiling point of water on mount everest'],
  ['Wie viele Zeitzonen hat Russland?', 'How many time zones does Russia have?'],
  ['Was ist die Quadratwurzel aus 144?', 'What is the square root of 144?'],
  ['wer hat die glühbirne erfunden', 'who invented the light bulb'],
  ['Wie heißt die größte Wüste der Welt?', 'What is the largest desert in the world?'],
  ['warum schnurren katzen', 'why do cats purr'],
  // Cooking, household, garden
  ['Wie macht man einen Hefezopf?', 'How do you make a braided yeast bread?'],
  ['rezept für kürbissuppe', 'pumpkin soup recipe'],
  ['Wie lange muss ein Schweinebraten in den Ofen?', 'How long does a pork roast need in the oven?'],
  ['Kann man gekochten Reis einfrieren?', 'Can you freeze cooked rice?'],
  ['was kann ich statt eiern zum backen nehmen', 'what can i use instead of eggs for baking'],
  ['Wie bekomme ich Rotweinflecken aus dem Teppich?', 'How do I get red wine stains out of a carpet?'],
  ['wie entkalke ich meine kaffeemaschine', 'how do i descale my coffee machine'],
  ['Welche Kerntemperatur braucht ein Steak medium?', 'What core temperature does a medium steak need?'],
  ['guacamole selber machen zutaten', 'homemade guacamole ingredients'],
  ['Wie lange hält frischer Spargel im Kühlschrank?', 'How long does fresh asparagus keep in the fridge?'],
  ['wie mache ich sauerkraut selbst', 'how do i make my own sauerkraut'],
  ['Wie oft sollte man Tomaten gießen?', 'How often should you water tomatoes?'],
  ['wie schneide ich einen rosenstrauch zurück', 'how do i prune a rose bush'],
  // Old sport results
  ['Wer gewann die Tour de France 1989?', 'Who won the 1989 Tour de France?'],
  ['ergebnis super bowl 1995', 'super bowl 1995 score'],
  ['Wer gewann 1982 das Herrenfinale in Wimbledon?', "Who won the men's Wimbledon final in 1982?"],
  ['wie viele tore hat pelé geschossen', 'how many goals did pelé score'],
  ['Wer hält den Weltrekord im Hochsprung der Männer?', "Who holds the men's high jump world record?"],
  ['stanley cup sieger 1994', 'stanley cup winner 1994'],
  ['Welches Team gewann 1986 die NBA-Meisterschaft?', 'Which team won the 1986 NBA championship?'],
  ['wie ist das cricket wm finale 2011 ausgegangen', 'how did the 2011 cricket world cup final end'],
  ['Wer gewann den Boston-Marathon 1990?', 'Who won the 1990 Boston Marathon?'],
  ['olympiasieger curling damen 2002', "olympic champion women's curling 2002"],
  ['Wer gewann die World Series im Baseball 1988?', 'Who won the 1988 World Series?'],
  ['ergebnis schach wm 1972', 'result of the 1972 world chess championship'],
  // Tech support
  ['Wie setze ich meinen WLAN-Router zurück?', 'How do I reset my wifi router?'],
  ['drucker druckt nur leere seiten', 'printer only prints blank pages'],
  ['Wie mache ich einen Screenshot unter Windows?', 'How do I take a screenshot on Windows?'],
  ['handy lädt nicht mehr was tun', 'phone stopped charging what to do'],
  ['Wie übertrage ich Fotos vom iPhone auf den PC?', 'How do I transfer photos from an iPhone to a PC?'],
  ['excel sverweis funktioniert nicht', 'excel vlookup not working'],
  ['Wie ändere ich mein Passwort bei Gmail?', 'How do I change my Gmail password?'],
  ['laptop wird heiß und lüfter laut', 'laptop gets hot and the fan is loud'],
  ['Wie formatiere ich einen USB-Stick?', 'How do I format a USB stick?'],
  ['bluetooth kopfhörer verbinden sich nicht', "bluetooth headphones won't connect"],
  ['Wie installiere ich Python unter Linux?', 'How do I install Python on Linux?'],
  ['tastenkombination kopieren mac', 'keyboard shortcut copy mac'],
  ['Wie sichere ich meine WhatsApp-Chats?', 'How do I back up my WhatsApp chats?'],
  // Other countries' politics and history
  ['Wer war der erste Präsident von Kenia?', 'Who was the first president of Kenya?'],
  ['wie viele abgeordnete hat das indische parlament', 'how many members does the indian parliament have'],
  ['Wann erhielten Frauen in Neuseeland das Wahlrecht?', 'When did women in New Zealand get the vote?'],
  ['wer regierte portugal vor der nelkenrevolution', 'who ruled portugal before the carnation revolution'],
  ['Wie wird der Premierminister von Japan gewählt?', 'How is the prime minister of Japan chosen?'],
  ['bhutan hauptstadt regierungsform', 'bhutan capital form of government'],
  ['Wer war 1970 Präsident von Chile?', 'Who was president of Chile in 1970?'],
  ['wie lange ist die amtszeit des präsidenten in mexiko', 'how long is the presidential term in mexico'],
  ['Welche Parteien regierten Kanada in den 1990er-Jahren?', 'Which parties governed Canada in the 1990s?'],
  ['wer führte ghana in die unabhängigkeit', 'who led ghana to independence'],
  ['Wie viele Kantone hat die Schweiz?', 'How many cantons does Switzerland have?'],
  ['wahlsystem australien erklärt', 'australian voting system explained'],
  ['Wer war der letzte König von Nepal?', 'Who was the last king of Nepal?'],
];

/** The shipped off-topic questions: 64 German, then the same 64 in English. */
export const OFF_TOPIC_QUESTIONS: readonly OffTopicQuestion[] = [
  ...PAIRS.map(([de]) => ({ question: de, lang: 'de' as const })),
  ...PAIRS.map(([, en]) => ({ question: en, lang: 'en' as const })),
];
