// Runs the Discord twin as a standalone server, so that the bot can be tried by hand without
// Discord: `npx tsx test/discord-twin/serve.ts [--port 3210]`, then point the bot's .env at it
// (it prints the lines to use) and type questions here:
//   /ask <question>        (as an English user; `/ask-de <Frage>` as a German one)
//   /articles  /stats  /reindex
//   @bot <question>        (a message that mentions the bot)

import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ApplicationCommandOptionType } from 'discord.js';
import { startDiscordTwin, type TwinMessage } from './twin.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3210' } } });
// The same ids on every start, so that the .env lines below stay valid across restarts of the
// twin (fresh ids made `npm run register` fail with "Missing Access"). The token's first part
// is the bot's id in base64, as in a real token.
const BOT_ID = '1400000000000000000';
const token = `${Buffer.from(BOT_ID).toString('base64url')}.Twin00.local-twin-token-not-a-secret-000000000`;
const twin = await startDiscordTwin({
  port: Number(values.port),
  token,
  botUserId: BOT_ID,
  applicationId: BOT_ID,
  guildId: '1400000000000000001',
  channelId: '1400000000000000002',
});
const owner = twin.ids.ownerId;

console.log(`Discord twin listening on ${twin.apiUrl}
Put these lines in the bot's .env (they stay the same each time the twin starts):
  DISCORD_TOKEN=${token}
  DISCORD_API_URL=${twin.apiUrl}
  DISCORD_CLIENT_ID=${twin.ids.applicationId}
  DISCORD_GUILD_ID=${twin.ids.guildId}
  QUELLE_COOLDOWN_SECONDS=0
(the last line turns off the 5 s wait between one user's questions: here you are every user)
then run \`npm run register\` and \`npm start\`, and type /ask <question> here (Ctrl-D to quit).`);

function show(message: TwinMessage): string {
  const lines = [message.content];
  for (const embed of message.embeds) {
    if (embed.title) lines.push(`# ${embed.title}`);
    if (embed.description) lines.push(embed.description);
    for (const field of embed.fields ?? []) lines.push(`## ${field.name}`, field.value);
    if (embed.footer?.text) lines.push(`-- ${embed.footer.text}`);
  }
  return `${message.ephemeral ? '(only you can see this)\n' : ''}${lines.filter(Boolean).join('\n')}`;
}

const input = createInterface({ input: process.stdin, terminal: false });
for await (const line of input) {
  const text = line.trim();
  if (text === '') continue;
  try {
    if (text.startsWith('@bot ')) {
      const sent = await twin.sendMessage({ content: `<@${twin.ids.botUserId}> ${text.slice(5)}`, mentions: [twin.ids.botUserId] });
      console.log(show(await sent.waitForReply(undefined, 30_000)));
      continue;
    }
    const [command = '', ...rest] = text.replace(/^\//, '').split(' ');
    const locale = command.endsWith('-de') ? 'de' : 'en-US';
    const name = command.replace(/-de$/, '');
    const options = name === 'ask' ? [{ name: 'question', type: ApplicationCommandOptionType.String, value: rest.join(' ') }] : [];
    const handle = await twin.sendCommand({ name, options, locale, user: owner });
    await handle.waitForCallback(5000);
    const message = handle.original()?.loading ? await handle.waitForFinal(120_000) : handle.original();
    console.log(message ? show(message) : '(no reply)');
    if (name === 'reindex') console.log(show(await handle.waitForEdit((m) => m.embeds.length > 0 || /failed|fehlgeschlagen/.test(m.content), 15 * 60_000)));
  } catch (error) {
    console.log(`error: ${(error as Error).message}`);
  }
  if (twin.violations.length > 0) console.log('violations:', JSON.stringify(twin.violations, null, 2));
}
await twin.close();
