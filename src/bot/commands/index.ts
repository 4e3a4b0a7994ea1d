import type { Command } from '../command.ts';
import { articlesCommand } from './articles.ts';
import { askCommand } from './ask.ts';
import { reindexCommand } from './reindex.ts';
import { statsCommand } from './stats.ts';

/** Every slash command, for the router and for registration. */
export const commands: readonly Command[] = [askCommand, reindexCommand, articlesCommand, statsCommand];
