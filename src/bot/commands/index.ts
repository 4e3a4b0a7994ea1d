import type { Command } from '../command.ts';
import { answerButtonsHandler } from '../answer-handler.ts';
import { articleFormHandler } from '../article-form.ts';
import type { InteractionHandler } from '../interaction-handler.ts';
import { articleCommand } from './article.ts';
import { articlesCommand } from './articles.ts';
import { askCommand } from './ask.ts';
import { insightsCommand } from './insights.ts';
import { reindexCommand } from './reindex.ts';
import { statsCommand } from './stats.ts';

/** Every slash command, for the router and for registration. */
export const commands: readonly Command[] = [askCommand, reindexCommand, articlesCommand, statsCommand, articleCommand, insightsCommand];

/** Every modal and component handler, for the router. */
export const handlers: readonly InteractionHandler[] = [articleFormHandler, answerButtonsHandler];
