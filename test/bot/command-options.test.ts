/**
 * Option values checked against the command's declaration before its handler runs: Discord's
 * clients keep to min/max and whole numbers, but discord.js passes on any value a crafted
 * interaction carries (the audit's `results: 2.5` gave 18 embed fields instead of at most 5).
 */
import { ApplicationCommandOptionType, type APIApplicationCommandOption, type CommandInteractionOption } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { checkDeclaredOptions } from '../../src/bot/command-options.ts';
import { articlesCommand } from '../../src/bot/commands/articles.ts';
import { askCommand } from '../../src/bot/commands/ask.ts';
import { messagesFor, type Language } from '../../src/bot/messages.ts';

const { Integer, Number: NumberType, String: StringType, Boolean: BooleanType, Subcommand, User } = ApplicationCommandOptionType;
const QUESTION = { name: 'question', type: StringType, value: 'Wo traf sich die Koalition?' } as CommandInteractionOption;
const results = (value: unknown) => ({ name: 'results', type: Integer, value }) as CommandInteractionOption;
const page = (value: unknown) => ({ name: 'page', type: Integer, value }) as CommandInteractionOption;

function check(declared: readonly APIApplicationCommandOption[] | undefined, given: CommandInteractionOption[], language: Language = 'en') {
  return checkDeclaredOptions(declared, given, language, messagesFor(language));
}

describe('checkDeclaredOptions against /ask and /articles', () => {
  it('lets declared values through', () => {
    for (const value of [1, 3, 5]) expect(check(askCommand.data.options, [QUESTION, results(value)])).toEqual({ ok: true });
    expect(check(askCommand.data.options, [QUESTION])).toEqual({ ok: true });
    expect(check(articlesCommand.data.options, [])).toEqual({ ok: true });
    expect(check(articlesCommand.data.options, [page(104)])).toEqual({ ok: true });
  });

  it.each([2.5, 0.5, 0, 6, -1, 1e9, Number.NaN, Number.POSITIVE_INFINITY, '3', null, true])('refuses results = %s, saying what is allowed', (value) => {
    expect(check(askCommand.data.options, [QUESTION, results(value)])).toEqual({
      ok: false,
      reason: 'The option "results" has an invalid value: it takes a whole number from 1 to 5.',
    });
  });

  it('answers in German with the option’s German name', () => {
    expect(check(askCommand.data.options, [QUESTION, results(2.5)], 'de')).toEqual({
      ok: false,
      reason: 'Die Option „treffer“ hat einen ungültigen Wert: erlaubt ist eine ganze Zahl von 1 bis 5.',
    });
    expect(check(articlesCommand.data.options, [page(1.5)], 'de')).toEqual({
      ok: false,
      reason: 'Die Option „seite“ hat einen ungültigen Wert: erlaubt ist eine ganze Zahl ab 1.',
    });
  });

  it.each([1.5, 0, -3, 2 ** 53])('refuses page = %s', (value) => {
    expect(check(articlesCommand.data.options, [page(value)])).toMatchObject({ ok: false, reason: expect.stringContaining('"page"') });
  });

  it('refuses a question outside the declared length, counted in characters as Discord does', () => {
    const tooLong = { ...QUESTION, value: 'x'.repeat(301) };
    expect(check(askCommand.data.options, [tooLong])).toEqual({
      ok: false,
      reason: 'The option "question" has an invalid value: it must be 3 to 300 characters long.',
    });
    // 300 emoji are 600 UTF-16 units but 300 characters.
    expect(check(askCommand.data.options, [{ ...QUESTION, value: '😀'.repeat(300) }])).toEqual({ ok: true });
    expect(check(askCommand.data.options, [{ ...QUESTION, value: 'ab' }])).toMatchObject({ ok: false });
    expect(check(askCommand.data.options, [{ ...QUESTION, value: 42 } as unknown as CommandInteractionOption])).toMatchObject({ ok: false });
  });

  it('refuses a missing required option, an undeclared one and one of the wrong type', () => {
    expect(check(askCommand.data.options, [results(3)])).toEqual({ ok: false, reason: 'The option "question" has an invalid value: it is required.' });
    expect(check(askCommand.data.options, [QUESTION, { name: 'k', type: Integer, value: 3 } as CommandInteractionOption])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('there is no such option'),
    });
    expect(check(askCommand.data.options, [QUESTION, { name: 'results', type: NumberType, value: 3 } as CommandInteractionOption])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('wrong type'),
    });
    expect(check(undefined, [page(1)])).toMatchObject({ ok: false });
  });
});

describe('checkDeclaredOptions for other declarations', () => {
  const declared = [
    {
      name: 'search',
      description: 'd',
      type: Subcommand,
      options: [
        { name: 'weight', description: 'd', type: NumberType, min_value: 0, max_value: 1, required: true },
        { name: 'mode', description: 'd', type: StringType, choices: [{ name: 'a', value: 'hybrid' }, { name: 'b', value: 'lexical' }] },
        { name: 'all', description: 'd', type: BooleanType },
        { name: 'who', description: 'd', type: User },
      ],
    },
  ] as APIApplicationCommandOption[];
  const search = (...options: object[]) => [{ name: 'search', type: Subcommand, options } as unknown as CommandInteractionOption];

  it('checks inside subcommands: numbers, choices, booleans and ids', () => {
    expect(check(declared, search({ name: 'weight', type: NumberType, value: 0.25 }, { name: 'mode', type: StringType, value: 'lexical' }, { name: 'all', type: BooleanType, value: true }, { name: 'who', type: User, value: '123' }))).toEqual({ ok: true });
    expect(check(declared, search({ name: 'weight', type: NumberType, value: 1.5 }))).toMatchObject({ reason: expect.stringContaining('a number from 0 to 1') });
    expect(check(declared, search({ name: 'weight', type: NumberType, value: Number.NaN }))).toMatchObject({ ok: false });
    expect(check(declared, search({ name: 'weight', type: NumberType, value: 0.5 }, { name: 'mode', type: StringType, value: 'dense' }))).toMatchObject({
      reason: expect.stringContaining('only the values offered'),
    });
    expect(check(declared, search({ name: 'weight', type: NumberType, value: 0.5 }, { name: 'all', type: BooleanType, value: 'yes' }))).toMatchObject({ ok: false });
    expect(check(declared, search({ name: 'weight', type: NumberType, value: 0.5 }, { name: 'who', type: User, value: 123 }))).toMatchObject({ ok: false });
    expect(check(declared, search())).toMatchObject({ reason: expect.stringContaining('"weight"') });
  });
});
