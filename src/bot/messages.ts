/**
 * Everything the bot says, in German and English. The bot answers in the language of the
 * user's Discord client: German for `de`, English otherwise.
 */
export type Language = 'de' | 'en';

export function languageOf(locale: string | null | undefined): Language {
  return locale?.toLowerCase().startsWith('de') ? 'de' : 'en';
}

/** " von 1 bis 5", " ab 1", " höchstens 5" or nothing: a range in words. */
function range(min: number | null, max: number | null, from: string, to: string, atLeast: string, atMost: string): string {
  const words = min !== null && max !== null ? [from, min, to, max] : min !== null ? [atLeast, min] : max !== null ? [atMost, max] : [];
  return words.filter((word) => word !== '').map((word) => ` ${word}`).join('');
}

const de = {
  answerTitle: (question: string) => `Frage: ${question}`,
  nothingRelevant: 'Dazu habe ich in den Artikeln nichts Passendes gefunden. Versuche es mit anderen Worten oder einer konkreteren Frage.',
  footer: (mode: string, ms: number) => `Suche: ${mode} · ${ms} ms`,
  modeNames: { hybrid: 'hybrid', dense: 'Bedeutungssuche', lexical: 'Wortsuche' },
  lexicalNotice: 'Nur Wortsuche (kein Sprachmodell geladen).',
  paragraph: 'Absatz',
  questionTooShort: (min: number) => `Die Frage ist zu kurz: bitte mindestens ${min} Zeichen.`,
  questionTooLong: (max: number) => `Die Frage ist zu lang: bitte höchstens ${max} Zeichen.`,
  cooldown: (seconds: number) => `Bitte warte noch ${seconds} s bis zur nächsten Frage.`,
  indexUnavailable: 'Der Suchindex ist gerade nicht verfügbar. Ein Moderator kann ihn mit /reindex neu aufbauen.',
  internalError: (ref: string) => `Da ist etwas schiefgegangen. Bitte versuche es später noch einmal. (Ref: ${ref})`,
  notAllowed: 'Nur Moderatoren (Server verwalten oder Moderatorenrolle) dürfen den Index neu aufbauen.',
  reindexRunning: 'Der Index wird bereits neu aufgebaut. Bitte warte, bis dieser Lauf fertig ist.',
  reindexStarted: 'Neuaufbau des Index gestartet …',
  reindexProgress: (phase: string, done: number, total: number, seconds: number) => `Index wird aufgebaut: ${phase} ${done}/${total} (${seconds} s)`,
  reindexDone: 'Index neu aufgebaut',
  reindexFailed: (reason: string) => `Der Neuaufbau ist fehlgeschlagen; der bisherige Index bleibt in Betrieb.\n${reason}`,
  reindexBlocked: (pid: number, host: string, since: number, heartbeat: number, staleAfterSeconds: number) =>
    `Der Index kann gerade nicht neu aufgebaut werden: ein anderer Aufbau hält seine Sperre (Prozess ${pid}${host ? ` auf ${host}` : ''}, seit <t:${since}:R>, letzter Herzschlag <t:${heartbeat}:R>). ` +
    `Warte, bis er fertig ist, und starte /reindex dann erneut. Läuft dieser Prozess nicht mehr, übernimmt /reindex die Sperre selbst: auf demselben Rechner sofort, sonst sobald sein Herzschlag ${staleAfterSeconds} s alt ist.`,
  reindexModelUnavailable: (reason: string) =>
    `Der Index wurde nicht neu aufgebaut: das Sprachmodell lässt sich nicht laden, und ohne es würde der hybride Index durch einen reinen Wortindex ersetzt und seine Vektoren gelöscht. ` +
    `Der bisherige Index bleibt mit seinen Vektoren in Betrieb. Behebe das Problem mit dem Modell und starte /reindex erneut, oder stelle QUELLE_MODE=lexical ein, wenn du bewusst nur die Wortsuche willst.\nGrund: ${reason}`,
  damagedVectorsNotice: 'Nur Wortsuche (die Vektordatei des Index ist beschädigt; ein Moderator kann sie mit /reindex reparieren).',
  vectorsDamaged: 'Die Vektordatei des Index ist beschädigt, daher wird nur mit der Wortsuche geantwortet. Ein Moderator kann sie mit /reindex reparieren.',
  phases: { chunk: 'Artikel lesen', embed: 'Absätze einbetten', insert: 'Vektorindex', lexical: 'Wortindex' },
  summary: {
    articles: 'Artikel',
    passages: 'Absätze',
    added: 'Neu',
    changed: 'Geändert',
    removed: 'Entfernt',
    skipped: 'Übersprungen',
    time: 'Dauer',
    none: '–',
  },
  articlesTitle: (page: number, pages: number) => `Artikel im Index (Seite ${page}/${pages})`,
  noArticles: 'Der Index enthält keine Artikel.',
  pageOutOfRange: (pages: number) => `Diese Seite gibt es nicht; es gibt ${pages} Seite(n).`,
  statsTitle: 'Quelle – Statistik',
  stats: {
    articles: 'Artikel',
    passages: 'Absätze',
    model: 'Modell',
    mode: 'Suchmodus',
    lastReindex: 'Letzter Neuaufbau',
    uptime: 'Laufzeit',
    answered: 'Beantwortete Fragen',
    medianTime: 'Antwortzeit (Median)',
    never: 'noch nie',
    none: 'keins (Wortsuche)',
    feeds: 'Nachrichten-Feeds',
    feedCounts: (feeds: number, saved: number, failing: number) => `${feeds} Feed(s), ${saved} Artikel gespeichert seit dem Start, ${failing} mit Fehlern`,
  },
  mentionHint: 'Stelle deine Frage direkt nach der Erwähnung, z. B. „@Quelle Wo traf sich die Koalition der Willigen?“',
  interactionExpired: 'Dieses Formular oder dieser Knopf gilt nicht mehr. Bitte starte den Befehl erneut.',
  audit: {
    actions: { add: 'hinzugefügt', replace: 'ersetzt', remove: 'entfernt' },
    post: (action: string, id: string, title: string, who: string, at: number) => `Artikel ${action}: ${id} „${title}“ von ${who}, <t:${at}:f>`,
    cli: (user: string) => `${user} (Kommandozeile)`,
    feed: (host: string) => `dem Feed von ${host}`,
  },
  articleNotAllowed: 'Nur Moderatoren (Server verwalten oder Moderatorenrolle) dürfen Artikel hinzufügen, ersetzen oder entfernen.',
  article: {
    added: (id: string, paragraphs: number) => `Artikel \`${id}\` hinzugefügt (${paragraphs} ${paragraphs === 1 ? 'Absatz' : 'Absätze'}).`,
    replaced: (id: string, paragraphs: number) => `Artikel \`${id}\` ersetzt (${paragraphs} ${paragraphs === 1 ? 'Absatz' : 'Absätze'}).`,
    removed: (id: string) => `Artikel \`${id}\` entfernt; er wird nicht mehr zitiert.`,
    sample: 'So wird er zitiert:',
    notIndexed: (reason: string) => `Gespeichert, aber noch nicht im Index: ${reason}\nDer nächste Neuaufbau (/reindex) nimmt ihn auf.`,
    refused: (reason: string) => `Nichts wurde geändert: ${reason}`,
    atLine: (line: number) => ` (Zeile ${line})`,
    atField: (field: string) => ` (Feld „${field}“)`,
    problems: {
      empty: 'Die Datei ist leer.',
      utf32: 'Die Datei ist UTF-32-Text. Speichere sie als UTF-8.',
      utf16: 'Die Datei ist kein gültiger UTF-16-Text. Speichere sie als UTF-8.',
      binary: 'Das ist keine Textdatei (Binärdaten).',
      encoding: 'Die Datei ist kein gültiger UTF-8-Text. Speichere sie als UTF-8.',
      frontMatter: 'Der Kopfbereich zwischen den ---‑Zeilen ist kein gültiges YAML. Korrigiere oder entferne ihn.',
      unsafeUrl: 'Die Quell-URL muss eine http(s)-Adresse sein, z. B. https://example.com/artikel.',
      noTitle: 'Der Artikel hat keine Titelzeile.',
      noBody: 'Nach dem Titel folgt kein Absatz.',
      tooLarge: 'Die Datei ist größer als 5 MiB. Teile sie in mehrere Artikel.',
      fileName: 'Der Dateiname ist ein Pfad, versteckt oder enthält Steuerzeichen. Benenne die Datei um, z. B. artikel.md.',
      fileType: 'Nur .txt- und .md-Dateien können hinzugefügt werden.',
      download: 'Die Datei ließ sich nicht von Discord laden. Versuche es erneut.',
      badDate: 'Das Datum ist keins. Schreibe es als 2025-09-05 oder 5. September 2025, oder lass es leer.',
      notFound: 'Keinen Artikel mit dieser Kennung gefunden. Wähle einen aus den Vorschlägen.',
      lastArticle: 'Das ist der einzige Artikel; der Index braucht mindestens einen. Füge zuerst einen anderen hinzu.',
    },
    modalTitle: 'Artikel hinzufügen',
    fields: { title: 'Titel', date: 'Datum (optional)', category: 'Rubrik (optional)', url: 'Quell-URL (optional)', text: 'Text (ein Absatz pro Zeile)' },
    showTitle: (title: string) => `Artikel: ${title}`,
    showFields: { id: 'Kennung', file: 'Datei', date: 'Datum', category: 'Rubrik', source: 'Quelle', passages: 'Absätze', notIndexed: 'noch nicht im Index' },
  },
  optionInvalid: (option: string, rule: string) => `Die Option „${option}“ hat einen ungültigen Wert: ${rule}.`,
  optionRules: {
    wholeNumber: (min: number | null, max: number | null) => `erlaubt ist eine ganze Zahl${range(min, max, 'von', 'bis', 'ab', 'höchstens')}`,
    number: (min: number | null, max: number | null) => `erlaubt ist eine Zahl${range(min, max, 'von', 'bis', 'ab', 'höchstens')}`,
    length: (min: number | null, max: number | null) => `sie muss${range(min, max, '', 'bis', 'mindestens', 'höchstens')} Zeichen lang sein`,
    choice: 'erlaubt sind nur die angebotenen Werte',
    type: 'die Option hat den falschen Typ',
    unknown: 'diese Option gibt es nicht',
    missing: 'sie fehlt, ist aber nötig',
  },
};

const en: typeof de = {
  answerTitle: (question) => `Question: ${question}`,
  nothingRelevant: "I found nothing relevant to that in the articles. Try other words or a more specific question.",
  footer: (mode, ms) => `Search: ${mode} · ${ms} ms`,
  modeNames: { hybrid: 'hybrid', dense: 'dense', lexical: 'lexical' },
  lexicalNotice: 'Word search only (no language model loaded).',
  paragraph: 'paragraph',
  questionTooShort: (min) => `That question is too short: please use at least ${min} characters.`,
  questionTooLong: (max) => `That question is too long: please use at most ${max} characters.`,
  cooldown: (seconds) => `Please wait ${seconds} s before asking again.`,
  indexUnavailable: 'The search index is unavailable right now. A moderator can rebuild it with /reindex.',
  internalError: (ref) => `Something went wrong. Please try again later. (Ref: ${ref})`,
  notAllowed: 'Only moderators (Manage Server or a moderator role) may rebuild the index.',
  reindexRunning: 'The index is already being rebuilt. Please wait for that run to finish.',
  reindexStarted: 'Rebuilding the index …',
  reindexProgress: (phase, done, total, seconds) => `Rebuilding the index: ${phase} ${done}/${total} (${seconds} s)`,
  reindexDone: 'Index rebuilt',
  reindexFailed: (reason) => `The rebuild failed; the previous index keeps serving.\n${reason}`,
  reindexBlocked: (pid, host, since, heartbeat, staleAfterSeconds) =>
    `The index cannot be rebuilt right now: another build holds its lock (process ${pid}${host ? ` on ${host}` : ''}, since <t:${since}:R>, last heartbeat <t:${heartbeat}:R>). ` +
    `Wait for it to finish, then run /reindex again. If that process has stopped, /reindex takes the lock over by itself: at once on the same machine, otherwise once its heartbeat is ${staleAfterSeconds} s old.`,
  reindexModelUnavailable: (reason) =>
    `The index was not rebuilt: the language model cannot be loaded, and without it the rebuild would replace the hybrid index with a word-only index and delete its vectors. ` +
    `The current index keeps serving, with its vectors. Fix the model and run /reindex again, or set QUELLE_MODE=lexical to use word search deliberately.\nReason: ${reason}`,
  damagedVectorsNotice: "Word search only (the index's vector file is damaged; a moderator can repair it with /reindex).",
  vectorsDamaged: "The index's vector file is damaged, so questions are answered by word search only. A moderator can repair it with /reindex.",
  phases: { chunk: 'reading articles', embed: 'embedding passages', insert: 'vector index', lexical: 'word index' },
  summary: {
    articles: 'Articles',
    passages: 'Passages',
    added: 'Added',
    changed: 'Changed',
    removed: 'Removed',
    skipped: 'Skipped',
    time: 'Time',
    none: '–',
  },
  articlesTitle: (page, pages) => `Indexed articles (page ${page}/${pages})`,
  noArticles: 'The index holds no articles.',
  pageOutOfRange: (pages) => `There is no such page; there are ${pages} page(s).`,
  statsTitle: 'Quelle – statistics',
  stats: {
    articles: 'Articles',
    passages: 'Passages',
    model: 'Model',
    mode: 'Search mode',
    lastReindex: 'Last reindex',
    uptime: 'Uptime',
    answered: 'Questions answered',
    medianTime: 'Median answer time',
    never: 'never',
    none: 'none (word search)',
    feeds: 'News feeds',
    feedCounts: (feeds, saved, failing) => `${feeds} feed(s), ${saved} articles saved since the start, ${failing} failing`,
  },
  mentionHint: 'Ask your question right after the mention, e.g. "@Quelle Where did the coalition of the willing meet?"',
  interactionExpired: 'This form or button is no longer valid. Please run the command again.',
  audit: {
    actions: { add: 'added', replace: 'replaced', remove: 'removed' },
    post: (action, id, title, who, at) => `Article ${action}: ${id} "${title}" by ${who}, <t:${at}:f>`,
    cli: (user) => `${user} (command line)`,
    feed: (host) => `the feed of ${host}`,
  },
  articleNotAllowed: 'Only moderators (Manage Server or a moderator role) may add, replace or remove articles.',
  article: {
    added: (id, paragraphs) => `Added article \`${id}\` (${paragraphs} ${paragraphs === 1 ? 'paragraph' : 'paragraphs'}).`,
    replaced: (id, paragraphs) => `Replaced article \`${id}\` (${paragraphs} ${paragraphs === 1 ? 'paragraph' : 'paragraphs'}).`,
    removed: (id) => `Removed article \`${id}\`; it is no longer cited.`,
    sample: 'It is cited like this:',
    notIndexed: (reason) => `Saved, but not in the index yet: ${reason}\nThe next rebuild (/reindex) picks it up.`,
    refused: (reason) => `Nothing was changed: ${reason}`,
    atLine: (line) => ` (line ${line})`,
    atField: (field) => ` (field "${field}")`,
    problems: {
      empty: 'The file is empty.',
      utf32: 'The file is UTF-32 text. Save it as UTF-8.',
      utf16: 'The file is not valid UTF-16 text. Save it as UTF-8.',
      binary: 'This is not a text file (binary data).',
      encoding: 'The file is not valid UTF-8 text. Save it as UTF-8.',
      frontMatter: 'The front matter between the --- lines is not valid YAML. Fix or remove it.',
      unsafeUrl: 'The source URL must be an http(s) address, such as https://example.com/article.',
      noTitle: 'The article has no title line.',
      noBody: 'No paragraph follows the title.',
      tooLarge: 'The file is larger than 5 MiB. Split it into several articles.',
      fileName: 'The file name is a path, hidden or holds control characters. Rename the file, e.g. article.md.',
      fileType: 'Only .txt and .md files can be added.',
      download: 'The file could not be downloaded from Discord. Try again.',
      badDate: 'The date is not a date. Write it as 2025-09-05 or 5 September 2025, or leave it empty.',
      notFound: 'No article has that id. Pick one from the suggestions.',
      lastArticle: 'That is the only article; the index needs at least one. Add another one first.',
    },
    modalTitle: 'Add an article',
    fields: { title: 'Title', date: 'Date (optional)', category: 'Category (optional)', url: 'Source URL (optional)', text: 'Text (one paragraph per line)' },
    showTitle: (title) => `Article: ${title}`,
    showFields: { id: 'Id', file: 'File', date: 'Date', category: 'Category', source: 'Source', passages: 'Passages', notIndexed: 'not indexed yet' },
  },
  optionInvalid: (option, rule) => `The option "${option}" has an invalid value: ${rule}.`,
  optionRules: {
    wholeNumber: (min, max) => `it takes a whole number${range(min, max, 'from', 'to', 'from', 'up to')}`,
    number: (min, max) => `it takes a number${range(min, max, 'from', 'to', 'from', 'up to')}`,
    length: (min, max) => `it must be${range(min, max, '', 'to', 'at least', 'at most')} characters long`,
    choice: 'it takes only the values offered',
    type: 'the option has the wrong type',
    unknown: 'there is no such option',
    missing: 'it is required',
  },
};

export type Messages = typeof de;

export function messagesFor(language: Language): Messages {
  return language === 'de' ? de : en;
}
