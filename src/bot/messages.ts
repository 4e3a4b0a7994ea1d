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
    denseRelevance: 'Relevanz nach Bedeutung',
  },
  denseRelevance: {
    calibrated: (threshold: string, english: string) => `kalibriert beim Indexaufbau: Ähnlichkeit ab ${threshold} (englische Fragen ab ${english}), zusammen mit der Wortsuche`,
    configured: (setting: string, threshold: string) => `eingestellt (${setting}): Ähnlichkeit ab ${threshold}`,
    lexicalMode: '– (nur Wortsuche)',
    noDenseSearch: 'aus: keine Bedeutungssuche verfügbar, es entscheidet die Wortsuche',
    notCalibrated: 'aus: der Index ist älter als die Kalibrierung; ein Moderator kann ihn mit /reindex kalibrieren. Bis dahin entscheidet die Wortsuche.',
    failedCalibration: 'aus: das Sprachmodell trennt Fragen zu den Artikeln nicht verlässlich von themenfremden, daher entscheidet die Wortsuche',
  },
  mentionHint: 'Stelle deine Frage direkt nach der Erwähnung, z. B. „@Quelle Wo traf sich die Koalition der Willigen?“',
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
    denseRelevance: 'Relevance by meaning',
  },
  denseRelevance: {
    calibrated: (threshold, english) => `calibrated when the index was built: similarity from ${threshold} (English questions from ${english}), weighed with word search`,
    configured: (setting, threshold) => `set (${setting}): similarity from ${threshold}`,
    lexicalMode: '– (word search only)',
    noDenseSearch: 'off: search by meaning is unavailable, word search decides',
    notCalibrated: 'off: the index predates the calibration; a moderator can calibrate it with /reindex. Until then word search decides.',
    failedCalibration: 'off: the language model does not reliably tell questions about the articles from off-topic ones, so word search decides',
  },
  mentionHint: 'Ask your question right after the mention, e.g. "@Quelle Where did the coalition of the willing meet?"',
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
