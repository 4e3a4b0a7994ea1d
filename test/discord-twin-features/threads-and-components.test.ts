// The twin's message components, threads, forums and Message Content intent (issue #14), against
// the real discord.js client: components are checked like Discord and clicked as type 3
// interactions answered by callbacks 6, 7 and 4; a thread started from a message has its id; a
// forum post arrives as THREAD_CREATE then the starter message in the thread; archived threads
// refuse edits (50083); without intent 1 << 15 members' messages arrive with empty content.

import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  StringSelectMenuBuilder,
  type Client,
  type ForumChannel,
  type Interaction,
  type Message,
  type TextChannel,
  type ThreadChannel,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { useTwinClient } from './twin-client.ts';

const FORUM_ID = '300000000000000015';

const start = useTwinClient();

async function boot(intents: GatewayIntentBits[] = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]) {
  const { twin, client } = await start(intents, { channels: [{ id: FORUM_ID, name: 'fragen', type: 15 }] });
  const general = client.channels.cache.get(twin.ids.channelId) as TextChannel;
  return { twin, client, general };
}

const nextInteraction = (c: Client) => new Promise<Interaction>((resolve) => c.once(Events.InteractionCreate, resolve));
const nextMessage = (c: Client, predicate: (message: Message) => boolean = () => true) =>
  new Promise<Message>((resolve) => {
    const listener = (message: Message): void => {
      if (!predicate(message)) return;
      c.off(Events.MessageCreate, listener);
      resolve(message);
    };
    c.on(Events.MessageCreate, listener);
  });
const apiCode = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => (error instanceof DiscordAPIError ? error.code : error));

const buttons = (...ids: string[]) => new ActionRowBuilder<ButtonBuilder>().addComponents(ids.map((id) => new ButtonBuilder().setCustomId(id).setLabel(id).setStyle(ButtonStyle.Secondary)));

describe('components', () => {
  it('are clicked as type 3 interactions; deferUpdate + edit, update and an ephemeral reply all land', async () => {
    const { twin, client, general } = await boot();
    const select = new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
      new StringSelectMenuBuilder().setCustomId('pick').setPlaceholder('Choose').addOptions({ label: 'One', value: '1' }, { label: 'Two', value: '2' }),
    );
    const sent = await general.send({ content: 'Vote', components: [buttons('up', 'down'), select] });

    let received = nextInteraction(client);
    const deferred = await twin.sendComponent({ customId: 'up', messageId: sent.id });
    let interaction = await received;
    if (!interaction.isButton()) throw new Error('not a button');
    expect(interaction.message.id).toBe(sent.id);
    await interaction.deferUpdate();
    await interaction.editReply({ components: [buttons('up-1', 'down')] });
    expect(deferred.callbacks[0]!.type).toBe(6);
    expect(twin.channelMessages().find((m) => m.id === sent.id)!.components).toHaveLength(1);

    received = nextInteraction(client);
    const updated = await twin.sendComponent({ customId: 'down', messageId: sent.id });
    interaction = await received;
    if (!interaction.isButton()) throw new Error('not a button');
    await interaction.update({ content: 'Voted' });
    expect(updated.callbacks[0]!.type).toBe(7);
    expect(twin.channelMessages().find((m) => m.id === sent.id)!.content).toBe('Voted');

    await interaction.message.edit({ components: [buttons('up', 'down'), select] });
    received = nextInteraction(client);
    const picked = await twin.sendComponent({ customId: 'pick', messageId: sent.id, values: ['2'] });
    interaction = await received;
    if (!interaction.isStringSelectMenu()) throw new Error('not a select menu');
    expect(interaction.values).toEqual(['2']);
    await interaction.reply({ content: 'Only you see this', flags: MessageFlags.Ephemeral });
    expect(picked.callbacks[0]!.type).toBe(4);
    expect(picked.original()!.ephemeral).toBe(true);
    expect(twin.violations).toEqual([]);
  });

  it('refuses what Discord refuses: duplicate custom ids, a select beside buttons, six rows, a button without label or emoji', async () => {
    const { twin, general } = await boot();
    expect(await apiCode(general.send({ components: [buttons('same', 'same')] }))).toBe(50035);
    const select = new StringSelectMenuBuilder().setCustomId('s').addOptions({ label: 'A', value: 'a' });
    const mixed = { type: 1, components: [select.toJSON(), new ButtonBuilder().setCustomId('b').setLabel('B').setStyle(ButtonStyle.Primary).toJSON()] };
    expect(await apiCode(general.send({ components: [mixed as never] }))).toBe(50035);
    expect(await apiCode(general.send({ components: Array.from({ length: 6 }, (_, i) => buttons(`r${i}`)) }))).toBe(50035);
    expect(await apiCode(general.send({ components: [{ type: 1, components: [{ type: 2, style: 2, custom_id: 'bare' }] } as never] }))).toBe(50035);
    expect(twin.violations.map((violation) => violation.kind)).toEqual(Array(4).fill('invalid_form_body'));
    expect(twin.violations[0]!.details.join()).toContain('custom id cannot be duplicated');
  });

  it('lets a test click only what a message shows, unless the interaction is crafted', async () => {
    const { twin, client, general } = await boot();
    const sent = await general.send({ content: 'x', components: [buttons('shown')] });
    await expect(twin.sendComponent({ customId: 'hidden', messageId: sent.id })).rejects.toThrow(/has no component "hidden" \(it has: shown\)/);
    const received = nextInteraction(client);
    await twin.sendComponent({ customId: 'old:button', messageId: sent.id, crafted: true });
    const interaction = await received;
    expect(interaction.isButton() && interaction.customId).toBe('old:button');
    if (interaction.isButton()) await interaction.reply({ content: 'expired', flags: MessageFlags.Ephemeral });
  });
});

describe('threads from a message', () => {
  it('have the message’s id, arrive as THREAD_CREATE, take messages, and are made once per message', async () => {
    const { twin, client, general } = await boot();
    const question = await twin.sendMessage({ content: 'Wo traf sich die Koalition?' });
    const message = await general.messages.fetch(question.message.id);
    const created = new Promise<[ThreadChannel, boolean]>((resolve) => client.once(Events.ThreadCreate, (thread, newly) => resolve([thread, newly])));
    const thread = await message.startThread({ name: 'Wo traf sich die Koalition?' });
    expect(thread.id).toBe(message.id);
    expect(thread.parentId).toBe(general.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    const [seen, newlyCreated] = await created;
    expect(seen.id).toBe(thread.id);
    expect(newlyCreated).toBe(true);

    await thread.send('Antwort');
    expect((await question.waitForThreadReply()).content).toBe('Antwort');
    expect(twin.channel(thread.id)).toMatchObject({ type: 11, parentId: general.id, thread: { archived: false, messageCount: 1 } });
    expect(await apiCode(message.startThread({ name: 'again' }))).toBe(160004);
    expect(await apiCode(general.threads.create({ name: 'x'.repeat(101) }))).toBe(50035);
    expect(twin.violations.map((violation) => violation.kind)).toEqual(['thread_already_exists', 'invalid_form_body']);
  });

  it('refuse edits once archived (50083); a message reopens them, unless they are locked', async () => {
    const { twin, client, general } = await boot();
    const starter = await general.send('Frage');
    const thread = await starter.startThread({ name: 'Frage' });
    const answer = await thread.send('Antwort');
    const archived = new Promise<ThreadChannel>((resolve) => client.once(Events.ThreadUpdate, (_old, updated) => resolve(updated)));
    twin.archiveThread(thread.id);
    expect((await archived).archived).toBe(true);
    expect(await apiCode(answer.edit('Antwort, bearbeitet'))).toBe(50083);
    await thread.send('Noch etwas');
    expect(twin.channel(thread.id)!.thread!.archived).toBe(false);
    twin.archiveThread(thread.id, { locked: true });
    expect(await apiCode(thread.send('Zu spät'))).toBe(50083);
    expect(twin.violations.map((violation) => violation.kind)).toEqual(['archived_thread', 'archived_thread']);
  });
});

describe('forums', () => {
  it('a member’s post arrives as THREAD_CREATE, then its starter message (id = the thread’s) in the thread', async () => {
    const { twin, client } = await boot();
    const forum = client.channels.cache.get(FORUM_ID) as ForumChannel;
    expect(forum.type).toBe(ChannelType.GuildForum);
    const thread = new Promise<ThreadChannel>((resolve) => client.once(Events.ThreadCreate, resolve));
    const starter = nextMessage(client);
    const post = await twin.createForumPost({ channelId: FORUM_ID, title: 'Koalition der Willigen', content: 'Wo traf sie sich?' });
    expect((await thread).parentId).toBe(FORUM_ID);
    const message = await starter;
    expect(message.channel.isThread() && message.channel.parentId).toBe(FORUM_ID);
    expect(message.id).toBe(message.channelId);
    expect(message.content).toBe('Wo traf sie sich?');
    expect(message.channel.isThread() && message.channel.name).toBe('Koalition der Willigen');
    await (message.channel as ThreadChannel).send('Antwort im Beitrag');
    expect((await post.waitForReply()).content).toBe('Antwort im Beitrag');
  });

  it('a bot posts with {name, message}; a forum takes no plain messages (50024)', async () => {
    const { twin, client } = await boot();
    const forum = client.channels.cache.get(FORUM_ID) as ForumChannel;
    const post = await forum.threads.create({ name: 'Ankündigung', message: { content: 'Neue Artikel sind da.' } });
    expect(post.parentId).toBe(FORUM_ID);
    expect(twin.channelMessages(post.id).map((m) => [m.id, m.content])).toEqual([[post.id, 'Neue Artikel sind da.']]);
    const raw = client.rest.post(`/channels/${FORUM_ID}/messages`, { body: { content: 'direkt' } });
    expect(await apiCode(raw)).toBe(50024);
  });
});

describe('the Message Content intent', () => {
  it('without it, members’ messages arrive with empty content unless they mention the bot', async () => {
    const { twin, client } = await boot([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    let received = nextMessage(client);
    await twin.sendMessage({ content: 'Wo traf sich die Koalition?' });
    expect((await received).content).toBe('');
    received = nextMessage(client);
    await twin.createForumPost({ channelId: FORUM_ID, title: 'Titel bleibt', content: 'Text fehlt' });
    const starter = await received;
    expect(starter.content).toBe('');
    expect(starter.channel.isThread() && starter.channel.name).toBe('Titel bleibt');
    received = nextMessage(client);
    await twin.sendMessage({ content: 'Wo traf sich die Koalition?', mentions: [twin.ids.botUserId] });
    expect((await received).content).toContain('Wo traf sich die Koalition?');
  });

  it('with it, every member message carries its content', async () => {
    const { twin, client } = await boot();
    const received = nextMessage(client);
    await twin.sendMessage({ content: 'Wo traf sich die Koalition?' });
    expect((await received).content).toBe('Wo traf sich die Koalition?');
  });
});
