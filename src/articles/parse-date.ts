/**
 * Recognises the date line of an article. Accepted, with German or English month names
 * (full or abbreviated): `05. September, 2025`, `5. März 2025`, `September 5, 2025`,
 * `5 September 2025`, `2025-09-05` and `05.09.2025`.
 */

const MONTHS: Record<string, number> = {
  januar: 1, jänner: 1, january: 1, jan: 1,
  februar: 2, feber: 2, february: 2, feb: 2,
  märz: 3, maerz: 3, march: 3, mär: 3, mar: 3,
  april: 4, apr: 4,
  mai: 5, may: 5,
  juni: 6, june: 6, jun: 6,
  juli: 7, july: 7, jul: 7,
  august: 8, aug: 8,
  september: 9, sept: 9, sep: 9,
  oktober: 10, october: 10, okt: 10, oct: 10,
  november: 11, nov: 11,
  dezember: 12, december: 12, dez: 12, dec: 12,
};

const DAY_MONTH_YEAR = /^(\d{1,2})\.?\s+([\p{L}]+)\.?,?\s+(\d{4})$/u;
const MONTH_DAY_YEAR = /^([\p{L}]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/u;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/** The ISO date (`YYYY-MM-DD`) a line states, or null when the line is not a date. */
export function parseDateLine(line: string): string | null {
  const text = line.trim().replace(/\s+/g, ' ');
  let match: RegExpExecArray | null;
  if ((match = ISO.exec(text))) return isoDate(+match[1]!, +match[2]!, +match[3]!);
  if ((match = DOTTED.exec(text))) return isoDate(+match[3]!, +match[2]!, +match[1]!);
  if ((match = DAY_MONTH_YEAR.exec(text))) return isoDate(+match[3]!, monthNumber(match[2]!), +match[1]!);
  if ((match = MONTH_DAY_YEAR.exec(text))) return isoDate(+match[3]!, monthNumber(match[1]!), +match[2]!);
  return null;
}

/**
 * Whether a line has the shape of a date, whether or not that day exists: `31. Februar 2025` is
 * a date line without a date, not a title.
 */
export function looksLikeDateLine(line: string): boolean {
  const text = line.trim().replace(/\s+/g, ' ');
  if (ISO.test(text) || DOTTED.test(text)) return true;
  const month = DAY_MONTH_YEAR.exec(text)?.[2] ?? MONTH_DAY_YEAR.exec(text)?.[1];
  return month !== undefined && monthNumber(month) !== 0;
}

function monthNumber(name: string): number {
  return MONTHS[name.toLowerCase()] ?? 0;
}

function isoDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Rejects 31. Februar and the like, which Date would silently roll over.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}
