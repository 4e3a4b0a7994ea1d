// The twin's attachments and modals (issue #13), against the real discord.js client: an
// ATTACHMENT option resolves to a file served on 127.0.0.1; a modal shown with callback type 9 is
// submitted as interaction type 5 that discord.js reads; the twin refuses submissions Discord's
// client could not make.

import { Events, LabelBuilder, MessageFlags, ModalBuilder, TextInputBuilder, TextInputStyle, type Client, type Interaction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { useTwinClient } from './twin-client.ts';

const boot = useTwinClient();

const next = (c: Client) => new Promise<Interaction>((resolve) => c.once(Events.InteractionCreate, resolve));

describe('attachments', () => {
  it('resolve to a file the client downloads from 127.0.0.1, recorded by the twin', async () => {
    const { twin, client } = await boot();
    const id = twin.uploadAttachment({ filename: 'artikel.md', content: 'Titel\n\nText über Lindau.\n', contentType: 'text/markdown' });
    const received = next(client);
    await twin.sendCommand({ name: 'upload', options: [{ name: 'file', type: 11, value: id }] });
    const interaction = await received;
    if (!interaction.isChatInputCommand()) throw new Error('not a command');
    const attachment = interaction.options.getAttachment('file', true);
    expect(attachment).toMatchObject({ name: 'artikel.md', size: Buffer.byteLength('Titel\n\nText über Lindau.\n'), contentType: 'text/markdown' });
    expect(new URL(attachment.url).hostname).toBe('127.0.0.1');
    expect(await (await fetch(attachment.url)).text()).toBe('Titel\n\nText über Lindau.\n');
    expect(twin.attachmentDownloads.map((download) => download.id)).toEqual([id]);
    expect((await fetch(attachment.url.replace(id, '1'))).status).toBe(404);
    await interaction.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    expect(twin.violations).toEqual([]);
  });
});

describe('modals', () => {
  it('are submitted as type 5 with the values, read by discord.js; impossible submissions are refused', async () => {
    const { twin, client } = await boot();
    const shown = next(client);
    const command = await twin.sendCommand({ name: 'form' });
    const interaction = await shown;
    if (!interaction.isChatInputCommand()) throw new Error('not a command');
    const input = new TextInputBuilder().setCustomId('title').setStyle(TextInputStyle.Short).setMaxLength(10).setRequired(true);
    const optional = new TextInputBuilder().setCustomId('note').setStyle(TextInputStyle.Paragraph).setRequired(false);
    await interaction.showModal(
      new ModalBuilder()
        .setCustomId('demo:add')
        .setTitle('Demo')
        .addLabelComponents(new LabelBuilder().setLabel('Title').setTextInputComponent(input), new LabelBuilder().setLabel('Note').setTextInputComponent(optional)),
    );
    expect((await command.waitForCallback()).type).toBe(9);

    await expect(twin.submitModal({ interaction: command, values: { title: 'x'.repeat(11) } })).rejects.toThrow(/allows 10 characters/);
    await expect(twin.submitModal({ interaction: command, values: { note: 'n' } })).rejects.toThrow(/"title" is required/);
    await expect(twin.submitModal({ interaction: command, values: { title: 'a', other: 'b' } })).rejects.toThrow(/has no input other/);

    const submitted = next(client);
    const handle = await twin.submitModal({ interaction: command, values: { title: 'Hafenfest' } });
    const submission = await submitted;
    if (!submission.isModalSubmit()) throw new Error('not a modal submission');
    expect(submission.customId).toBe('demo:add');
    expect(submission.fields.getTextInputValue('title')).toBe('Hafenfest');
    expect(submission.fields.getTextInputValue('note')).toBe('');
    await submission.deferReply({ flags: MessageFlags.Ephemeral });
    await submission.editReply('gespeichert');
    expect(handle.kind).toBe('modal');
    expect(handle.original()!.content).toBe('gespeichert');
    expect(twin.violations).toEqual([]);
  });
});
