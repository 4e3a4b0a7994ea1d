import { randomUUID } from 'node:crypto';
import type { Interaction } from 'discord.js';
import type { BotConfig } from '../config.ts';
import { describeError, ErrorCode, isQuelleError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { MessageFlags } from 'discord.js';
import { checkDeclaredOptions } from './command-options.ts';
import { NO_MENTIONS, type Command, type CommandContext, type GuardResult } from './command.ts';
import type { Cooldowns } from './cooldowns.ts';
import { languageOf, messagesFor } from './messages.ts';
import { redactSecrets } from './redact.ts';
import { respondWithError } from './respond-with-error.ts';
import type { SearchService } from './search-service.ts';

export interface RouterDependencies {
  readonly commands: readonly Command[];
  readonly service: SearchService;
  readonly config: BotConfig;
  readonly logger: Logger;
  readonly cooldowns: Cooldowns;
}

/**
 * Dispatches slash commands to their handlers, after their declared options and guards allow it:
 * a denial is answered privately in the user's language. Every failure is answered and logged
 * with a reference.
 */
export function createInteractionRouter(dependencies: RouterDependencies): (interaction: Interaction) => Promise<void> {
  const byName = new Map(dependencies.commands.map((command) => [command.data.name, command]));
  const { logger } = dependencies;
  return async (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    const correlationId = randomUUID().slice(0, 8);
    const language = languageOf(interaction.locale);
    const messages = messagesFor(language);
    const command = byName.get(interaction.commandName);
    const started = Date.now();
    try {
      if (!command) throw new Error(`unknown command /${interaction.commandName}`);
      const context: CommandContext = { ...dependencies, language, messages, correlationId };
      const denial = firstDenial(command, interaction, context);
      if (denial) {
        logger.info({ command: interaction.commandName, correlationId, user: interaction.user.id, reason: denial }, 'Refused a command');
        await interaction.reply({ content: denial, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
        return;
      }
      await command.execute(interaction, context);
      logger.debug({ command: interaction.commandName, correlationId, ms: Date.now() - started }, 'Command handled');
    } catch (error) {
      const expected = isQuelleError(error, ErrorCode.IndexMissing);
      logger.error(
        { command: interaction.commandName, correlationId, user: interaction.user.id, error: redactSecrets(describeError(error)) },
        'Command failed',
      );
      const content = expected ? messages.indexUnavailable : messages.internalError(correlationId);
      await respondWithError(interaction, content).catch((replyError: unknown) =>
        logger.error({ correlationId, error: redactSecrets(describeError(replyError)) }, 'Could not tell the user about the failure'),
      );
    }
  };
}

/** The reason the first failing check gives (declared options first, then the command's guards), or null. */
function firstDenial(command: Command, interaction: Parameters<Command['execute']>[0], context: CommandContext): string | null {
  const checks: (() => GuardResult)[] = [
    () => checkDeclaredOptions(command.data.options, interaction.options.data, context.language, context.messages),
    ...(command.guards ?? []).map((guard) => () => guard(interaction, context)),
  ];
  for (const check of checks) {
    const result = check();
    if (!result.ok) return result.reason;
  }
  return null;
}
