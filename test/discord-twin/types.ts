// Public types of the Discord twin. Payload shapes are kept loose on purpose (JsonObject):
// the twin receives whatever discord.js sends and only inspects the fields it enforces.
// Twin-side records use camelCase; anything sent on the wire uses Discord's snake_case.

export type Snowflake = string;
export type JsonObject = { [key: string]: unknown };

export interface TwinOptions {
  /** Port on 127.0.0.1; default 0 (any free port). */
  port?: number;
  /** Bot token the twin accepts (REST `Authorization: Bot <token>` and gateway IDENTIFY). */
  token?: string;
  applicationId?: Snowflake;
  guildId?: Snowflake;
  channelId?: Snowflake;
  botUserId?: Snowflake;
  botUsername?: string;
  /** `guild_locale` of the guild and default `guild_locale` of interactions. Default 'en-US'. */
  guildLocale?: string;
  /** Effective permissions of the bot in the channel (sent as `app_permissions`). Default: a normal bot role. */
  botPermissions?: bigint | string;
  /** Time to the first interaction callback. Default 3000 (Discord's limit). */
  interactionDeadlineMs?: number;
  /** Lifetime of an interaction token for webhook edits/follow-ups. Default 15 min (Discord's limit). */
  tokenLifetimeMs?: number;
  /** Sent in HELLO. Default 41250 like Discord. */
  heartbeatIntervalMs?: number;
  /** More channels of the guild besides the default text channel (in GUILD_CREATE from the start). */
  channels?: AddChannelOptions[];
}

export interface TwinIds {
  applicationId: Snowflake;
  guildId: Snowflake;
  channelId: Snowflake;
  botUserId: Snowflake;
  /** Owner of the guild (has every permission). */
  ownerId: Snowflake;
  /** A plain member without roles; the default invoker of commands and author of messages. */
  userId: Snowflake;
}

export interface TwinUser {
  id: Snowflake;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface TwinRole {
  id: Snowflake;
  name: string;
  /** Bitfield as a decimal string, like Discord. */
  permissions: string;
  mentionable: boolean;
  position: number;
  managed: boolean;
}

/** Channel types the twin knows: 0 text, 11 public thread, 15 forum. */
export type TwinChannelType = 0 | 11 | 15;

export interface TwinChannel {
  id: Snowflake;
  name: string;
  type: TwinChannelType;
  /** A thread's text or forum channel; null for channels of the guild itself. */
  parentId: Snowflake | null;
  /** Set on threads (type 11). */
  thread?: TwinThreadState;
}

/** What a thread has beyond a channel (Discord's `thread_metadata` and counts). */
export interface TwinThreadState {
  ownerId: Snowflake;
  archived: boolean;
  locked: boolean;
  /** Minutes of inactivity after which Discord archives it: 60, 1440, 4320 or 10080. */
  autoArchiveDuration: number;
  archivedAt: number;
  createdAt: number;
  messageCount: number;
}

export interface AddChannelOptions {
  id?: Snowflake;
  name: string;
  /** 0 text (default) or 15 forum. Threads are made with createForumPost or by the bot. */
  type?: 0 | 15;
}

export interface CreateForumPostOptions {
  /** The forum channel (type 15). */
  channelId: Snowflake;
  /** The post's title: the thread's name. */
  title: string;
  /** The starter message's text. */
  content: string;
  /** Member id of the author. Default: ids.userId. */
  user?: Snowflake;
}

/** A forum post a member made: its thread and starter message (whose id is the thread's). */
export interface ForumPostHandle {
  readonly thread: TwinChannel;
  readonly message: TwinMessage;
  /** False when no gateway session had the GUILD_MESSAGES intent. */
  readonly delivered: boolean;
  /** Resolves with the first bot message in the post's thread that matches. */
  waitForReply(predicate?: (message: TwinMessage) => boolean, timeoutMs?: number): Promise<TwinMessage>;
}

export interface TwinMember {
  user: TwinUser;
  roles: Snowflake[];
  joinedAt: string;
}

export interface AddMemberOptions {
  id?: Snowflake;
  username?: string;
  roles?: Snowflake[];
  /** Convenience: gives the member a dedicated role with exactly these permissions. */
  permissions?: bigint | string;
  /** Another bot (its messages carry `author.bot`); default false. */
  bot?: boolean;
}

export interface AddRoleOptions {
  id?: Snowflake;
  name: string;
  permissions?: bigint | string;
  mentionable?: boolean;
}

export interface TwinMemberInfo {
  id: Snowflake;
  username: string;
  roles: Snowflake[];
  /** Effective guild permissions (owner/Administrator → all), decimal string. */
  permissions: string;
}

/** An option as the user "typed" it. `type` is Discord's ApplicationCommandOptionType (3 string, 4 integer, 5 boolean, 6 user, ...). */
export interface CommandOptionInput {
  name: string;
  type: number;
  value?: string | number | boolean;
  /** Marks the option being typed: the twin then sends an autocomplete interaction (type 4). */
  focused?: boolean;
  /** Sub-command (type 1) / group (type 2) children. */
  options?: CommandOptionInput[];
}

export interface SendCommandOptions {
  name: string;
  options?: CommandOptionInput[];
  /** Member id of the invoker. Default: ids.userId. */
  user?: Snowflake;
  /** User locale, e.g. 'de' or 'en-US'. Default 'en-US'. */
  locale?: string;
  guildLocale?: string;
  /** Overrides `member.permissions` (bitfield) instead of computing it from roles. */
  permissions?: bigint | string;
  channelId?: Snowflake;
}

export interface UploadAttachmentOptions {
  filename: string;
  content: string | Uint8Array;
  contentType?: string;
  /** The size sent in `resolved.attachments` (default: the real size). */
  declaredSize?: number;
}

export interface SubmitModalOptions {
  /** The interaction the bot answered with a modal (callback type 9). */
  interaction: InteractionHandle;
  /** Values by text input `custom_id`; inputs left out are submitted empty. */
  values: Record<string, string>;
  /** Default: the user of `interaction`. */
  user?: Snowflake;
  locale?: string;
}

export interface SendComponentOptions {
  customId: string;
  /** The (bot) message the component is attached to. */
  messageId: Snowflake;
  /** 2 button (default), 3 string select, ... */
  componentType?: number;
  values?: string[];
  user?: Snowflake;
  locale?: string;
  /**
   * A custom id that no component of the message carries (a crafted or stale interaction). By
   * default the twin refuses to click what the message does not show, as Discord's client cannot.
   */
  crafted?: boolean;
}

export interface SendMessageOptions {
  content: string;
  /** Member id of the author. Default: ids.userId. */
  user?: Snowflake;
  /** User ids mentioned; each is prepended as `<@id>` unless the content already contains it. */
  mentions?: Snowflake[];
  /** Make the message a reply to this message id. */
  replyTo?: Snowflake;
  channelId?: Snowflake;
}

export interface AllowedMentions {
  parse?: string[];
  users?: Snowflake[];
  roles?: Snowflake[];
  replied_user?: boolean;
}

/** Who a message version would notify. */
export interface Pings {
  everyone: boolean;
  users: Snowflake[];
  roles: Snowflake[];
  repliedUser: boolean;
}

export interface ApiEmbed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string; icon_url?: string };
  author?: { name: string; url?: string; icon_url?: string };
  [key: string]: unknown;
}

export interface TwinAttachment {
  id: Snowflake;
  filename: string;
  size: number;
  contentType?: string | undefined;
}

export type MessageSource = 'user' | 'channel' | 'interaction' | 'followup';

/** A message as the twin stores it: current content plus twin-side findings. */
export interface TwinMessage {
  id: Snowflake;
  channelId: Snowflake;
  guildId: Snowflake;
  authorId: Snowflake;
  source: MessageSource;
  content: string;
  embeds: ApiEmbed[];
  components: unknown[];
  attachments: TwinAttachment[];
  flags: number;
  /** Flag 64. */
  ephemeral: boolean;
  /** Flag 128: a deferred response still showing "… is thinking". */
  loading: boolean;
  /** `allowed_mentions` exactly as last sent by the bot (undefined = not sent = Discord parses everything). */
  allowedMentions: AllowedMentions | undefined;
  /** Mentions the current version would trigger. */
  pings: Pings;
  /** True if the message or any edit of it would notify someone (sticky; ephemeral messages never ping). */
  wouldPing: boolean;
  interactionId?: Snowflake | undefined;
  referencedMessageId?: Snowflake | undefined;
  reactions: string[];
  createdAt: number;
  editedAt: number | null;
  edits: number;
  deleted: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, without the query string. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body (or `payload_json` of a multipart body); undefined when empty. */
  body: unknown;
  status: number;
  at: number;
  /** Answered by a `failNext` rule instead of the route. */
  injected: boolean;
}

export type ViolationKind =
  | 'interaction_expired'
  | 'interaction_already_acknowledged'
  | 'interaction_not_acknowledged'
  | 'unknown_interaction'
  | 'invalid_callback_type'
  | 'webhook_token_expired'
  | 'invalid_webhook_token'
  | 'unknown_webhook'
  | 'unknown_message'
  | 'unknown_channel'
  | 'unknown_guild'
  | 'unknown_member'
  | 'unknown_user'
  | 'unknown_command'
  | 'invalid_form_body'
  | 'empty_message'
  | 'invalid_json'
  | 'missing_permissions'
  | 'missing_access'
  | 'cannot_edit_others_message'
  | 'archived_thread'
  | 'thread_already_exists'
  | 'wrong_channel_type'
  | 'unauthorized'
  | 'unknown_route'
  | 'method_not_allowed'
  | 'twin_error';

export interface Violation {
  kind: ViolationKind;
  /** HTTP status and Discord error code the twin answered with. */
  status: number;
  code: number;
  message: string;
  /** Flattened form errors, e.g. "embeds[0].fields[0].value: Must be 1024 or fewer in length." */
  details: string[];
  method: string;
  path: string;
  at: number;
  interactionId?: Snowflake;
}

export interface CallbackRecord {
  /** Interaction callback type: 4 reply, 5 defer, 6 deferUpdate, 7 update, 8 autocomplete, 9 modal. */
  type: number;
  data: unknown;
  at: number;
  /** ms since the INTERACTION_CREATE was written to the gateway socket. */
  elapsedMs: number;
  /** HTTP status the twin answered (204/200 accepted, 4xx rejected). */
  status: number;
}

export interface FailRule {
  method?: string;
  /** Matched against the path after `/api/v10` (no query), e.g. /\/messages\/@original$/. */
  pathPattern: RegExp;
  status: 429 | 500 | 502 | 503;
  /** Seconds, sent as `Retry-After` on 429. Default 1. */
  retryAfter?: number;
  /** How many matching requests fail. Default 1. */
  times?: number;
  /** 429 only: mark as global rate limit (`X-RateLimit-Global`). */
  global?: boolean;
}

export interface GatewayEvent {
  type: 'connect' | 'identify' | 'resume' | 'invalid_session' | 'close' | 'drop' | 'protocol_error' | 'server_close' | 'refused';
  at: number;
  sessionId?: string | undefined;
  code?: number | undefined;
  detail?: string | undefined;
}

/** An application command as registered (Discord's shape, with ids). */
export interface ApiCommand {
  id: Snowflake;
  application_id: Snowflake;
  guild_id?: Snowflake;
  version: Snowflake;
  type: number;
  name: string;
  description: string;
  options?: JsonObject[];
  [key: string]: unknown;
}

export type InteractionState = 'pending' | 'deferred' | 'replied' | 'updated' | 'autocompleted' | 'modal' | 'expired';

export interface InteractionHandle {
  readonly id: Snowflake;
  readonly token: string;
  /** 'command' (type 2), 'autocomplete' (type 4), 'component' (type 3) or 'modal' (a submission, type 5). */
  readonly kind: 'command' | 'autocomplete' | 'component' | 'modal';
  /** The INTERACTION_CREATE `d` as dispatched. */
  readonly payload: JsonObject;
  /** Every callback attempt, accepted or rejected. */
  readonly callbacks: readonly CallbackRecord[];
  readonly followups: readonly TwinMessage[];
  readonly state: InteractionState;
  /** When the dispatch was written to a gateway socket (null while buffered for a resume). */
  readonly deliveredAt: number | null;
  /** The current @original message (content, embeds, flags), if any. */
  original(): TwinMessage | undefined;
  /** Resolves with the first accepted callback. */
  waitForCallback(timeoutMs?: number): Promise<CallbackRecord>;
  /** Resolves with @original once it has been edited (PATCH) and matches the predicate. */
  waitForEdit(predicate?: (message: TwinMessage) => boolean, timeoutMs?: number): Promise<TwinMessage>;
  /** Resolves with @original once it is no longer a "thinking" placeholder. */
  waitForFinal(timeoutMs?: number): Promise<TwinMessage>;
  waitForFollowup(predicate?: (message: TwinMessage) => boolean, timeoutMs?: number): Promise<TwinMessage>;
}

export interface UserMessageHandle {
  readonly message: TwinMessage;
  /** False when no gateway session had the GUILD_MESSAGES intent, i.e. the bot never saw it. */
  readonly delivered: boolean;
  /** Resolves with the first bot message in the channel after this one that matches. */
  waitForReply(predicate?: (message: TwinMessage) => boolean, timeoutMs?: number): Promise<TwinMessage>;
  /**
   * Resolves with the first bot message in the thread started from this message (the thread's id
   * is the message's, as on Discord) that matches.
   */
  waitForThreadReply(predicate?: (message: TwinMessage) => boolean, timeoutMs?: number): Promise<TwinMessage>;
}

export interface DiscordTwin {
  /** Pass as `new Client({ rest: { api: twin.apiUrl } })`. */
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly token: string;
  readonly ids: TwinIds;
  readonly requests: readonly RecordedRequest[];
  readonly violations: readonly Violation[];
  readonly interactions: readonly InteractionHandle[];
  readonly gatewayLog: readonly GatewayEvent[];
  addMember(options?: AddMemberOptions): TwinMemberInfo;
  addRole(options: AddRoleOptions): TwinRole;
  sendCommand(options: SendCommandOptions): Promise<InteractionHandle>;
  sendComponent(options: SendComponentOptions): Promise<InteractionHandle>;
  /** Stores a file; pass the returned id as the value of an ATTACHMENT option (type 11). */
  uploadAttachment(options: UploadAttachmentOptions): Snowflake;
  /** Downloads of attachments, in order. */
  readonly attachmentDownloads: readonly { id: Snowflake; at: number }[];
  /** Submits the modal the bot showed for `interaction` (type 5), with the given values. */
  submitModal(options: SubmitModalOptions): Promise<InteractionHandle>;
  sendMessage(options: SendMessageOptions): Promise<UserMessageHandle>;
  /** All messages of a channel (users' and the bot's, incl. ephemeral and deleted), oldest first. */
  channelMessages(channelId?: Snowflake): readonly TwinMessage[];
  /** Resolves with the first bot-authored message (existing or future) that matches. */
  waitForChannelMessage(predicate?: (message: TwinMessage) => boolean, timeoutMs?: number): Promise<TwinMessage>;
  /** A channel or thread by id. */
  channel(id: Snowflake): TwinChannel | undefined;
  /** Adds a text or forum channel to the guild (CHANNEL_CREATE). */
  addChannel(options: AddChannelOptions): TwinChannel;
  /** A member posts in a forum channel: THREAD_CREATE, then MESSAGE_CREATE of the starter message in the thread. */
  createForumPost(options: CreateForumPostOptions): Promise<ForumPostHandle>;
  /** Archives a thread (THREAD_UPDATE), as Discord does after inactivity; `locked` also keeps members from reopening it. */
  archiveThread(threadId: Snowflake, options?: { locked?: boolean }): void;
  /** Registered commands: global without argument, a guild's with one. */
  commands(guildId?: Snowflake): readonly ApiCommand[];
  failNext(rule: FailRule): void;
  /** Closes the gateway socket abnormally (1006); the session stays resumable. */
  dropGateway(): void;
  /** The next RESUME is answered with op 9 `d:false` (the client must IDENTIFY again). */
  invalidateSession(): void;
  /** Closes the gateway sockets with a close code (e.g. 4004, 4014); codes ≥ 4004 end the session. */
  closeGateway(code: number, reason?: string): void;
  /** Every later IDENTIFY and RESUME is closed with `code` (null: accepted again). */
  refuseIdentify(code: number | null): void;
  /** A gateway outage: sockets are dropped and new connections fail until {@link bringGatewayUp}. */
  takeGatewayDown(): void;
  bringGatewayUp(): void;
  /** Resolves once a gateway session is attached to a live socket (after IDENTIFY or RESUME). */
  waitForGatewayConnected(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}
