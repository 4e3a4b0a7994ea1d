// Discord's documented payload limits. The twin rejects what Discord would reject (400 50035), so
// a bot that only works against the twin cannot send messages that fail in production.
// Lengths are counted in UTF-16 code units (String#length): never more lenient than Discord.

import type { FormError } from './errors.js';
import type { JsonObject } from './types.js';

export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  embedTotal: 6000,
  actionRows: 5,
  rowComponents: 5,
  customId: 100,
  buttonLabel: 80,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceValue: 100,
  modalTitle: 45,
  commandName: 32,
  commandDescription: 100,
  commandOptions: 25,
  commandChoices: 25,
  chatInputCommands: 100,
  allowedMentionIds: 100,
} as const;

export type Path = (string | number)[];

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const tooLong = (path: Path, max: number): FormError => ({
  path,
  code: 'BASE_TYPE_MAX_LENGTH',
  message: `Must be ${max} or fewer in length.`,
});
export const required = (path: Path): FormError => ({ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });

/** Checks an optional string field; `min` > 0 makes it required. */
export function checkString(errors: FormError[], value: unknown, path: Path, max: number, min = 0): void {
  if (value === undefined || value === null) {
    if (min > 0) errors.push(required(path));
    return;
  }
  if (typeof value !== 'string') {
    errors.push({ path, code: 'BASE_TYPE_STRING', message: 'Must be a string.' });
    return;
  }
  if (value.length > max) errors.push(tooLong(path, max));
  else if (value.length < min) errors.push({ path, code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between ${min} and ${max} in length.` });
}

export function checkArray(errors: FormError[], value: unknown, path: Path, max: number): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push({ path, code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return [];
  }
  if (value.length > max) errors.push(tooLong(path, max));
  return value;
}

const textLength = (value: unknown): number => (typeof value === 'string' ? value.length : 0);

/** Content, embeds and allowed_mentions of a message (create body or merged edit); components: ./components.ts. */
export function validateMessage(message: JsonObject): FormError[] {
  const errors: FormError[] = [];
  checkString(errors, message.content, ['content'], LIMITS.content);

  const embeds = checkArray(errors, message.embeds, ['embeds'], LIMITS.embeds);
  let total = 0;
  embeds.forEach((embed, i) => {
    if (!isObject(embed)) {
      errors.push({ path: ['embeds', i], code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' });
      return;
    }
    checkString(errors, embed.title, ['embeds', i, 'title'], LIMITS.embedTitle);
    checkString(errors, embed.description, ['embeds', i, 'description'], LIMITS.embedDescription);
    total += textLength(embed.title) + textLength(embed.description);
    const fields = checkArray(errors, embed.fields, ['embeds', i, 'fields'], LIMITS.embedFields);
    fields.forEach((field, j) => {
      const path = ['embeds', i, 'fields', j];
      if (!isObject(field)) {
        errors.push(required(path));
        return;
      }
      // Discord requires non-empty names and values; an empty excerpt is a real bug source.
      checkString(errors, field.name, [...path, 'name'], LIMITS.fieldName, 1);
      checkString(errors, field.value, [...path, 'value'], LIMITS.fieldValue, 1);
      total += textLength(field.name) + textLength(field.value);
    });
    if (embed.footer !== undefined && embed.footer !== null) {
      const footer = isObject(embed.footer) ? embed.footer : {};
      checkString(errors, footer.text, ['embeds', i, 'footer', 'text'], LIMITS.footerText, 1);
      total += textLength(footer.text);
    }
    if (embed.author !== undefined && embed.author !== null) {
      const author = isObject(embed.author) ? embed.author : {};
      checkString(errors, author.name, ['embeds', i, 'author', 'name'], LIMITS.authorName, 1);
      total += textLength(author.name);
    }
  });
  if (total > LIMITS.embedTotal) {
    errors.push({ path: ['embeds'], code: 'MAX_EMBED_SIZE_EXCEEDED', message: `Embed size exceeds maximum size of ${LIMITS.embedTotal}` });
  }

  // Components are checked by ./components.ts.
  validateAllowedMentions(errors, message.allowed_mentions);
  return errors;
}

function validateAllowedMentions(errors: FormError[], value: unknown): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) {
    errors.push({ path: ['allowed_mentions'], code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' });
    return;
  }
  const parse = checkArray(errors, value.parse, ['allowed_mentions', 'parse'], 3);
  parse.forEach((entry, i) => {
    if (entry !== 'users' && entry !== 'roles' && entry !== 'everyone') {
      errors.push({ path: ['allowed_mentions', 'parse', i], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {"users", "roles", "everyone"}.' });
    }
  });
  for (const kind of ['users', 'roles'] as const) {
    const ids = checkArray(errors, value[kind], ['allowed_mentions', kind], LIMITS.allowedMentionIds);
    if (ids.length > 0 && parse.includes(kind)) {
      errors.push({
        path: ['allowed_mentions'],
        code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        message: `parse:["${kind}"] and ${kind}: [ids...] are mutually exclusive.`,
      });
    }
  }
}

/** Discord answers 50006 when a message would end up with nothing to show. */
export function isEmptyMessage(message: JsonObject, attachmentCount: number): boolean {
  const content = typeof message.content === 'string' ? message.content.trim() : '';
  const has = (key: string) => Array.isArray(message[key]) && (message[key] as unknown[]).length > 0;
  return content === '' && !has('embeds') && !has('components') && !has('sticker_ids') && !message.poll && attachmentCount === 0;
}

/** Callback type 8. */
export function validateAutocomplete(data: unknown): FormError[] {
  const errors: FormError[] = [];
  const body = isObject(data) ? data : {};
  const choices = checkArray(errors, body.choices, ['data', 'choices'], LIMITS.autocompleteChoices);
  if (body.choices === undefined) errors.push(required(['data', 'choices']));
  choices.forEach((choice, i) => {
    const c = isObject(choice) ? choice : {};
    checkString(errors, c.name, ['data', 'choices', i, 'name'], LIMITS.choiceName, 1);
    if (typeof c.value === 'string') checkString(errors, c.value, ['data', 'choices', i, 'value'], LIMITS.choiceValue);
    else if (typeof c.value !== 'number') errors.push(required(['data', 'choices', i, 'value']));
  });
  return errors;
}

/** Callback type 9. */
export function validateModal(data: unknown): FormError[] {
  const errors: FormError[] = [];
  const body = isObject(data) ? data : {};
  checkString(errors, body.custom_id, ['data', 'custom_id'], LIMITS.customId, 1);
  checkString(errors, body.title, ['data', 'title'], LIMITS.modalTitle, 1);
  const rows = checkArray(errors, body.components, ['data', 'components'], 5);
  if (rows.length === 0) errors.push(required(['data', 'components']));
  return errors;
}

// Discord's name rule for chat-input commands and options (lowercase where a lowercase exists).
const NAME = /^[-_'\p{L}\p{N}\p{sc=Devanagari}\p{sc=Thai}]{1,32}$/u;

function checkName(errors: FormError[], name: unknown, path: Path, lowercase: boolean): void {
  if (typeof name !== 'string' || !NAME.test(name) || (lowercase && name !== name.toLowerCase())) {
    errors.push({ path, code: 'APPLICATION_COMMAND_INVALID_NAME', message: `Command name is invalid (1-32 chars${lowercase ? ', lowercase' : ''}, no spaces)` });
  }
}

function checkLocalizations(errors: FormError[], value: unknown, path: Path, max: number, nameRule: boolean): void {
  if (!isObject(value)) return;
  for (const [locale, text] of Object.entries(value)) {
    if (nameRule) checkName(errors, text, [...path, locale], true);
    else checkString(errors, text, [...path, locale], max, 1);
  }
}

function validateOptions(errors: FormError[], options: unknown, path: Path): void {
  const list = checkArray(errors, options, path, LIMITS.commandOptions);
  const seen = new Set<string>();
  let optionalSeen = false;
  list.forEach((option, i) => {
    const p = [...path, i];
    if (!isObject(option)) {
      errors.push(required(p));
      return;
    }
    checkName(errors, option.name, [...p, 'name'], true);
    checkLocalizations(errors, option.name_localizations, [...p, 'name_localizations'], LIMITS.commandName, true);
    checkString(errors, option.description, [...p, 'description'], LIMITS.commandDescription, 1);
    checkLocalizations(errors, option.description_localizations, [...p, 'description_localizations'], LIMITS.commandDescription, false);
    if (typeof option.type !== 'number' || option.type < 1 || option.type > 11) {
      errors.push({ path: [...p, 'type'], code: 'BASE_TYPE_CHOICES', message: 'Value must be a valid option type.' });
    }
    if (typeof option.name === 'string') {
      if (seen.has(option.name)) {
        errors.push({ path: [...p, 'name'], code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', message: 'Option name already exists' });
      }
      seen.add(option.name);
    }
    if (option.type === 1 || option.type === 2) {
      validateOptions(errors, option.options, [...p, 'options']);
      return;
    }
    if (option.required === true && optionalSeen) {
      errors.push({ path: [...p, 'required'], code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', message: 'Required options must be placed before non-required options' });
    }
    if (option.required !== true) optionalSeen = true;
    const choices = checkArray(errors, option.choices, [...p, 'choices'], LIMITS.commandChoices);
    if (choices.length > 0 && option.autocomplete === true) {
      errors.push({ path: [...p, 'autocomplete'], code: 'APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE', message: 'Autocomplete cannot be set with choices' });
    }
    choices.forEach((choice, j) => {
      const c = isObject(choice) ? choice : {};
      checkString(errors, c.name, [...p, 'choices', j, 'name'], LIMITS.choiceName, 1);
      if (typeof c.value === 'string') checkString(errors, c.value, [...p, 'choices', j, 'value'], LIMITS.choiceValue, 1);
    });
  });
}

/** One command of a PUT/POST body; `path` prefixes error paths (the index in a bulk overwrite). */
export function validateCommand(command: unknown, path: Path = []): FormError[] {
  const errors: FormError[] = [];
  if (!isObject(command)) return [required(path)];
  const type = command.type ?? 1;
  const chatInput = type === 1;
  checkName(errors, command.name, [...path, 'name'], chatInput);
  checkLocalizations(errors, command.name_localizations, [...path, 'name_localizations'], LIMITS.commandName, chatInput);
  if (chatInput) {
    checkString(errors, command.description, [...path, 'description'], LIMITS.commandDescription, 1);
    checkLocalizations(errors, command.description_localizations, [...path, 'description_localizations'], LIMITS.commandDescription, false);
    validateOptions(errors, command.options, [...path, 'options']);
  } else if (typeof command.description === 'string' && command.description !== '') {
    errors.push({ path: [...path, 'description'], code: 'APPLICATION_COMMAND_DESCRIPTION_INVALID', message: 'Context menu commands cannot have a description' });
  }
  return errors;
}

/** Bulk overwrite (PUT): every command plus list-level rules. */
export function validateCommandList(list: unknown): FormError[] {
  if (!Array.isArray(list)) return [{ path: [], code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }];
  const errors = list.flatMap((command, i) => validateCommand(command, [i]));
  const seen = new Set<string>();
  let chatInput = 0;
  list.forEach((command, i) => {
    if (!isObject(command)) return;
    const key = `${String(command.type ?? 1)}:${String(command.name)}`;
    if (seen.has(key)) {
      errors.push({ path: [i, 'name'], code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: `Application command names must be unique` });
    }
    seen.add(key);
    if ((command.type ?? 1) === 1) chatInput++;
  });
  if (chatInput > LIMITS.chatInputCommands) errors.push(tooLong([], LIMITS.chatInputCommands));
  return errors;
}
