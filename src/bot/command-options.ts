import {
  ApplicationCommandOptionType,
  type APIApplicationCommandOption,
  type CommandInteractionOption,
} from 'discord.js';
import type { GuardResult } from './command.ts';
import type { Language, Messages } from './messages.ts';

/** The parts of an option declaration that constrain its value (Discord's JSON, as registered). */
interface DeclaredOption {
  readonly type: ApplicationCommandOptionType;
  readonly name: string;
  readonly name_localizations?: Partial<Record<string, string | null>> | null;
  readonly required?: boolean;
  readonly min_value?: number;
  readonly max_value?: number;
  readonly min_length?: number;
  readonly max_length?: number;
  readonly choices?: readonly { readonly value: string | number }[];
  readonly options?: readonly DeclaredOption[];
}

const OK: GuardResult = { ok: true };

/**
 * Checks an interaction's options against what its command declares (types, whole numbers,
 * ranges, lengths, choices, required options). Discord's clients enforce the declaration, but
 * discord.js passes on whatever a crafted interaction carries: `results: 2.5`, `page: -1e9`, a
 * string where a number belongs. A command's handler may rely on its declaration once this passed.
 */
export function checkDeclaredOptions(
  declared: readonly APIApplicationCommandOption[] | undefined,
  given: readonly CommandInteractionOption[],
  language: Language,
  messages: Messages,
): GuardResult {
  return checkLevel((declared ?? []) as readonly DeclaredOption[], given, language, messages);
}

function checkLevel(declared: readonly DeclaredOption[], given: readonly CommandInteractionOption[], language: Language, messages: Messages): GuardResult {
  const rules = messages.optionRules;
  const deny = (option: DeclaredOption | string, rule: string): GuardResult => ({
    ok: false,
    reason: messages.optionInvalid(typeof option === 'string' ? option : shownName(option, language), rule),
  });
  for (const option of given) {
    const declaration = declared.find((candidate) => candidate.name === option.name);
    if (!declaration) return deny(option.name, rules.unknown);
    if (declaration.type !== option.type) return deny(declaration, rules.type);
    if (option.type === ApplicationCommandOptionType.Subcommand || option.type === ApplicationCommandOptionType.SubcommandGroup) {
      const nested = checkLevel(declaration.options ?? [], option.options ?? [], language, messages);
      if (!nested.ok) return nested;
      continue;
    }
    const problem = valueProblem(declaration, option.value, messages);
    if (problem) return deny(declaration, problem);
  }
  // Required options only apply where no subcommand was chosen (a subcommand level has none).
  const missing = declared.find((option) => option.required && !given.some((candidate) => candidate.name === option.name));
  return missing ? deny(missing, rules.missing) : OK;
}

/** What is wrong with a value for its declaration, in the user's words, or null when nothing is. */
function valueProblem(declaration: DeclaredOption, value: unknown, messages: Messages): string | null {
  const rules = messages.optionRules;
  const min = declaration.min_value ?? null;
  const max = declaration.max_value ?? null;
  const inRange = (number: number): boolean => (min === null || number >= min) && (max === null || number <= max);
  switch (declaration.type) {
    case ApplicationCommandOptionType.Integer:
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || !inRange(value)) return rules.wholeNumber(min, max);
      break;
    case ApplicationCommandOptionType.Number:
      if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(value)) return rules.number(min, max);
      break;
    case ApplicationCommandOptionType.String: {
      const minLength = declaration.min_length ?? null;
      const maxLength = declaration.max_length ?? null;
      // Discord counts characters (code points), not UTF-16 units.
      const length = typeof value === 'string' ? [...value].length : -1;
      if (length < 0 || (minLength !== null && length < minLength) || (maxLength !== null && length > maxLength)) return rules.length(minLength, maxLength);
      break;
    }
    case ApplicationCommandOptionType.Boolean:
      if (typeof value !== 'boolean') return rules.type;
      break;
    default:
      // Users, channels, roles and attachments arrive as ids that discord.js resolves itself.
      if (typeof value !== 'string') return rules.type;
  }
  if (declaration.choices && !declaration.choices.some((choice) => choice.value === value)) return rules.choice;
  return null;
}

/** The option's name as the user's client shows it. */
function shownName(option: DeclaredOption, language: Language): string {
  return (language === 'de' ? option.name_localizations?.de : null) ?? option.name;
}
