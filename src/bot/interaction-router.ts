import { randomUUID } from 'node:crypto';
import {
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageComponentInteraction,
  type ModalSubmitInteraction,
  type RepliableInteraction,
} from 'discord.js';
import { describeError, ErrorCode, isQuelleError } from '../errors.ts';
import { checkDeclaredOptions } from './command-options.ts';
import { NO_MENTIONS, type BotServices, type Command, type CommandContext } from './command.ts';
import { parseCustomId } from './custom-id.ts';
import { firstDenial } from './guards.ts';
import type { InteractionHandler } from './interaction-handler.ts';
import { languageOf, messagesFor } from './messages.ts';
import { redactSecrets } from './redact.ts';
import { respondWithError } from './respond-with-error.ts';

export interface RouterDependencies extends BotServices {
  readonly commands: readonly Command[];
  /** Handlers of modal submissions and components, by custom id namespace (./interaction-handler.ts). */
  readonly handlers?: readonly InteractionHandler[];
}

/** Discord shows at most 25 autocomplete suggestions. */
export const AUTOCOMPLETE_MAX = 25;

/**
 * The one `interactionCreate` router. It dispatches every kind of interaction:
 * - slash commands to their `execute`, after the declared options and guards allow it;
 * - autocomplete to the command's `autocomplete` (after its guards), answering with at most 25
 *   suggestions, or none when it is denied or fails;
 * - modal submissions and components to the handler that claims their custom id.
 * A denial is answered privately in the user's language; every failure is answered privately
 * with a reference that is also logged. No interaction is left unanswered.
 */
export function createInteractionRouter(dependencies: RouterDependencies): (interaction: Interaction) => Promise<void> {
  const byName = new Map(dependencies.commands.map((command) => [command.data.name, command]));
  const handlers = new Map((dependencies.handlers ?? []).map((handler) => [`${handler.kind}:${handler.namespace}`, handler]));
  if (handlers.size !== (dependencies.handlers ?? []).length) throw new Error('two interaction handlers share a kind and namespace');
  const { logger } = dependencies;

  const contextFor = (interaction: Interaction): CommandContext => {
    const language = languageOf(interaction.locale);
    return { ...dependencies, language, messages: messagesFor(language), correlationId: randomUUID().slice(0, 8) };
  };

  /** Runs `work`; a failure is logged and answered privately, with the reference. */
  const answering = async (interaction: RepliableInteraction, what: string, context: CommandContext, work: () => Promise<void>): Promise<void> => {
    const started = Date.now();
    const noun = interaction.isChatInputCommand() ? 'Command' : 'Interaction';
    try {
      await work();
      logger.debug({ interaction: what, correlationId: context.correlationId, ms: Date.now() - started }, `${noun} handled`);
    } catch (error) {
      const expected = isQuelleError(error, ErrorCode.IndexMissing);
      logger.error(
        { interaction: what, correlationId: context.correlationId, user: interaction.user.id, error: redactSecrets(describeError(error)) },
        `${noun} failed`,
      );
      const content = expected ? context.messages.indexUnavailable : context.messages.internalError(context.correlationId);
      await respondWithError(interaction, content).catch((replyError: unknown) =>
        logger.error({ correlationId: context.correlationId, error: redactSecrets(describeError(replyError)) }, 'Could not tell the user about the failure'),
      );
    }
  };

  /** Answers a denial privately; true when there was one. */
  const refused = async (interaction: RepliableInteraction, what: string, context: CommandContext, denial: string | null): Promise<boolean> => {
    if (denial === null) return false;
    logger.info({ interaction: what, correlationId: context.correlationId, user: interaction.user.id, reason: denial }, 'Refused an interaction');
    await interaction.reply({ content: denial, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
    return true;
  };

  const routeCommand = (interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void> => {
    const what = `/${interaction.commandName}`;
    return answering(interaction, what, context, async () => {
      const command = byName.get(interaction.commandName);
      if (!command) throw new Error(`unknown command ${what}`);
      const options = checkDeclaredOptions(command.data.options, interaction.options.data, context.language, context.messages);
      const denial = options.ok ? await firstDenial(command.guards, interaction, context) : options.reason;
      if (await refused(interaction, what, context, denial)) return;
      await command.execute(interaction, context);
    });
  };

  const routeAutocomplete = async (interaction: AutocompleteInteraction, context: CommandContext): Promise<void> => {
    let choices: readonly { name: string; value: string | number }[] = [];
    try {
      const command = byName.get(interaction.commandName);
      if (command?.autocomplete && (await firstDenial(command.guards, interaction, context)) === null) {
        choices = (await command.autocomplete(interaction, context)).slice(0, AUTOCOMPLETE_MAX);
      }
    } catch (error) {
      logger.warn({ command: interaction.commandName, error: redactSecrets(describeError(error)) }, 'Autocomplete failed; answering with no suggestions');
    }
    await interaction.respond([...choices]).catch((error: unknown) =>
      logger.warn({ command: interaction.commandName, error: redactSecrets(describeError(error)) }, 'Could not answer an autocomplete'),
    );
  };

  const routeHandled = (handled: ModalSubmitInteraction | MessageComponentInteraction, context: CommandContext): Promise<void> => {
    // Every modal submission and component can be replied to (discord.js' union lists each kind).
    const interaction = handled as (ModalSubmitInteraction | MessageComponentInteraction) & RepliableInteraction;
    const kind = interaction.isModalSubmit() ? 'modal' : 'component';
    const what = `${kind} ${interaction.customId.slice(0, 40)}`;
    return answering(interaction, what, context, async () => {
      const id = parseCustomId(interaction.customId);
      const handler = id ? handlers.get(`${kind}:${id.namespace}`) : undefined;
      const args = id && handler ? handler.parse(id) : null;
      if (!handler || args === null) {
        await refused(interaction, what, context, context.messages.interactionExpired);
        return;
      }
      if (await refused(interaction, what, context, await firstDenial(handler.guards, interaction, context))) return;
      // The handler was looked up by this very kind, so it takes this interaction.
      if (handler.kind === 'modal') await handler.run(interaction as ModalSubmitInteraction, args, context);
      else await handler.run(interaction as MessageComponentInteraction, args, context);
    });
  };

  return async (interaction) => {
    const context = contextFor(interaction);
    if (interaction.isChatInputCommand()) await routeCommand(interaction, context);
    else if (interaction.isAutocomplete()) await routeAutocomplete(interaction, context);
    else if (interaction.isModalSubmit() || interaction.isMessageComponent()) await routeHandled(interaction, context);
  };
}
