import { str } from './request-body';
import type {
  CallArgs,
  ChannelState,
  SharedFile,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
  TokenKind,
} from './types';

export interface WorkspaceIdentity {
  teamId: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  appId: string;
  usergroups: Record<string, string[]>;
}

export type ApiResult =
  | { ok: true; [key: string]: unknown }
  | { ok: false; error: string; [key: string]: unknown };

type Handler = (args: CallArgs, token: TokenKind) => ApiResult;

const fail = (error: string): ApiResult => ({ ok: false, error });

/**
 * The workspace behind the stand-in: channels, messages, threads, files and user groups, plus the Web API
 * methods that read and change them. Channels are created on first use with the bot as a member, so tests only
 * describe the exceptions (a channel the bot left, an archived or deleted one).
 */
export class Workspace {
  private readonly channels = new Map<string, ChannelState>();
  private readonly deleted = new Set<string>();
  private readonly posted: StoredMessage[] = [];
  private readonly ephemeralPosts: StoredEphemeral[] = [];
  private readonly uploads = new Map<string, StoredFile>();
  private readonly openedViews: StoredView[] = [];
  private readonly shared = new Map<string, SharedFile>();
  private tsCounter = 0;
  private fileCounter = 0;

  constructor(
    readonly identity: WorkspaceIdentity,
    private readonly uploadUrl: (fileId: string) => string,
    private readonly socketModeUrl: () => string,
    /** `url_private` (or `url_private_download`) of a shared file, served by the stand-in. */
    private readonly privateUrl: (path: string) => string = (path) => path,
  ) {}

  readonly handlers: Record<string, Handler> = {
    'auth.test': (_args, token) => this.authTest(token),
    'apps.connections.open': (_args, token) =>
      token === 'app' ? { ok: true, url: this.socketModeUrl() } : fail('not_allowed_token_type'),
    'chat.postMessage': (args) => this.postMessage(args),
    'chat.update': (args) => this.update(args),
    'chat.postEphemeral': (args) => this.postEphemeral(args),
    'conversations.info': (args) => this.conversationInfo(args),
    'usergroups.users.list': (args) => this.usergroupUsers(args),
    'files.getUploadURLExternal': (args) => this.getUploadUrl(args),
    'files.completeUploadExternal': (args) => this.completeUpload(args),
    'views.open': (args) => this.openView(args),
    'files.info': (args) => this.fileInfo(args),
  };

  /** Slack-shaped, strictly increasing message timestamps (`seconds.micro`), unique within the workspace. */
  nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  channel(id: string): ChannelState {
    let state = this.channels.get(id);
    if (state === undefined) {
      state = { id, name: id.toLowerCase(), isMember: true, isArchived: false };
      this.channels.set(id, state);
    }
    this.deleted.delete(id);
    return state;
  }

  deleteChannel(id: string): void {
    this.channels.delete(id);
    this.deleted.add(id);
  }

  messages(channel: string): StoredMessage[] {
    return this.posted.filter((m) => m.channel === channel && m.thread_ts === undefined);
  }

  thread(channel: string, ts: string): StoredMessage[] {
    return this.posted.filter((m) => m.channel === channel && m.thread_ts === ts);
  }

  allMessages(): StoredMessage[] {
    return [...this.posted];
  }

  ephemerals(channel?: string): StoredEphemeral[] {
    return this.ephemeralPosts.filter((e) => channel === undefined || e.channel === channel);
  }

  files(): StoredFile[] {
    return [...this.uploads.values()];
  }

  views(): StoredView[] {
    return [...this.openedViews];
  }

  /** Adds a message a person wrote (not the bot), e.g. to check that chat.update refuses it. */
  seedUserMessage(channel: string, user: string, text: string, threadTs?: string): StoredMessage {
    const message: StoredMessage = { channel, ts: this.nextTs(), user, text, edits: 0 };
    if (threadTs !== undefined) message.thread_ts = threadTs;
    this.channel(channel);
    this.posted.push(message);
    return message;
  }

  /**
   * A file a person shares in a channel, as Slack stores it: a message with the file in the channel, files.info
   * describing it (shared in that channel), and its bytes behind `url_private` for a token holder.
   */
  shareFile(
    channel: string,
    user: string,
    name: string,
    content: string | Buffer,
    options: { title?: string; mimetype?: string; filetype?: string } = {},
  ): SharedFile {
    this.fileCounter += 1;
    const file: SharedFile = {
      id: `F${String(this.fileCounter).padStart(8, '0')}`,
      name,
      title: options.title ?? name,
      user,
      channels: [channel],
      content: Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'),
      mimetype: options.mimetype ?? 'text/plain',
      filetype: options.filetype ?? (/\.ya?ml$/i.test(name) ? 'yaml' : 'text'),
      created: Math.floor(Date.now() / 1000),
      deleted: false,
    };
    this.shared.set(file.id, file);
    this.channel(channel);
    this.posted.push({
      channel,
      ts: this.nextTs(),
      user,
      edits: 0,
      files: [{ id: file.id, name, title: file.title }],
    });
    return file;
  }

  /** The shared file's bytes for a download of `url_private`; undefined when there is none (or it was deleted). */
  sharedFile(id: string): SharedFile | undefined {
    const file = this.shared.get(id);
    return file === undefined || file.deleted ? undefined : file;
  }

  deleteSharedFile(id: string): void {
    const file = this.shared.get(id);
    if (file !== undefined) file.deleted = true;
  }

  /** Stores the bytes POSTed to a file's upload URL; false when the id was never handed out. */
  receiveUpload(fileId: string, content: Buffer): boolean {
    const file = this.uploads.get(fileId);
    if (file === undefined || file.completed) return false;
    file.content = content;
    return true;
  }

  private authTest(token: TokenKind): ApiResult {
    const { teamId, teamDomain, botUserId, botId } = this.identity;
    const base = { url: `https://${teamDomain}.slack.com/`, team: teamDomain, team_id: teamId };
    if (token === 'bot') return { ok: true, ...base, user: 'metallb', user_id: botUserId, bot_id: botId };
    if (token === 'app') return { ok: true, ...base, app_id: this.identity.appId };
    return { ok: true, ...base, user: 'someone', user_id: 'U0PERSON' };
  }

  /** Resolves `C123` or `#name` to a channel the bot can write to, or the error Slack would answer. */
  private writable(channelArg: string | undefined): ChannelState | ApiResult {
    if (channelArg === undefined || channelArg === '') return fail('channel_not_found');
    const byName = channelArg.startsWith('#')
      ? [...this.channels.values()].find((c) => c.name === channelArg.slice(1))
      : undefined;
    if (channelArg.startsWith('#') && byName === undefined) return fail('channel_not_found');
    if (this.deleted.has(channelArg)) return fail('channel_not_found');
    const state = byName ?? this.channel(channelArg);
    if (state.isArchived) return fail('is_archived');
    if (!state.isMember) return fail('not_in_channel');
    return state;
  }

  private postMessage(args: CallArgs): ApiResult {
    const target = this.writable(str(args, 'channel'));
    if ('ok' in target) return target;
    const text = str(args, 'text');
    if ((text === undefined || text === '') && args.blocks === undefined && args.attachments === undefined) {
      return fail('no_text');
    }
    const threadTs = str(args, 'thread_ts');
    const message: StoredMessage = {
      channel: target.id,
      ts: this.nextTs(),
      user: this.identity.botUserId,
      bot_id: this.identity.botId,
      edits: 0,
    };
    if (threadTs !== undefined) message.thread_ts = threadTs;
    if (text !== undefined) message.text = text;
    if (args.blocks !== undefined) message.blocks = args.blocks;
    if (args.attachments !== undefined) message.attachments = args.attachments;
    if (args.metadata !== undefined) message.metadata = args.metadata;
    this.posted.push(message);
    return { ok: true, channel: target.id, ts: message.ts, message: this.wire(message) };
  }

  private update(args: CallArgs): ApiResult {
    const channel = str(args, 'channel');
    const ts = str(args, 'ts');
    if (channel === undefined || this.deleted.has(channel)) return fail('channel_not_found');
    const message = this.posted.find((m) => m.channel === channel && m.ts === ts);
    if (message === undefined) return fail('message_not_found');
    if (message.user !== this.identity.botUserId) return fail('cant_update_message');
    const text = str(args, 'text');
    if (text !== undefined) message.text = text;
    // Omitted blocks keep the previous ones; an empty array clears them (chat.update docs).
    if (args.blocks !== undefined) message.blocks = args.blocks;
    if (args.attachments !== undefined) message.attachments = args.attachments;
    message.edits += 1;
    return { ok: true, channel, ts: message.ts, text: message.text ?? '', message: this.wire(message) };
  }

  private postEphemeral(args: CallArgs): ApiResult {
    const target = this.writable(str(args, 'channel'));
    if ('ok' in target) return target;
    const user = str(args, 'user');
    if (user === undefined || user === '') return fail('user_not_found');
    const ephemeral: StoredEphemeral = { channel: target.id, user, message_ts: this.nextTs() };
    const threadTs = str(args, 'thread_ts');
    if (threadTs !== undefined) ephemeral.thread_ts = threadTs;
    const text = str(args, 'text');
    if (text !== undefined) ephemeral.text = text;
    if (args.blocks !== undefined) ephemeral.blocks = args.blocks;
    this.ephemeralPosts.push(ephemeral);
    return { ok: true, message_ts: ephemeral.message_ts };
  }

  private conversationInfo(args: CallArgs): ApiResult {
    const id = str(args, 'channel');
    if (id === undefined || this.deleted.has(id)) return fail('channel_not_found');
    const state = this.channel(id);
    return {
      ok: true,
      channel: {
        id: state.id,
        name: state.name,
        is_channel: true,
        is_member: state.isMember,
        is_archived: state.isArchived,
      },
    };
  }

  private usergroupUsers(args: CallArgs): ApiResult {
    const group = str(args, 'usergroup');
    const users = group === undefined ? undefined : this.identity.usergroups[group];
    if (users === undefined) return fail('no_such_subteam');
    return { ok: true, users: [...users] };
  }

  private getUploadUrl(args: CallArgs): ApiResult {
    const filename = str(args, 'filename');
    const length = Number(str(args, 'length'));
    if (filename === undefined || filename === '') return fail('invalid_arguments');
    if (!Number.isInteger(length) || length < 0) return fail('invalid_arguments');
    this.fileCounter += 1;
    const id = `F${String(this.fileCounter).padStart(8, '0')}`;
    this.uploads.set(id, { id, filename, declaredLength: length, completed: false });
    return { ok: true, upload_url: this.uploadUrl(id), file_id: id };
  }

  private completeUpload(args: CallArgs): ApiResult {
    const files = this.uploadedFiles(args.files);
    if (!Array.isArray(files)) return files;
    const channelId = str(args, 'channel_id');
    const threadTs = str(args, 'thread_ts');
    const comment = str(args, 'initial_comment');
    if (channelId !== undefined) {
      const shared = this.shareFiles(files, channelId, threadTs, comment);
      if (shared !== undefined) return shared;
    }
    for (const file of files) {
      file.completed = true;
      if (channelId !== undefined) file.channel = channelId;
      if (threadTs !== undefined) file.threadTs = threadTs;
      if (comment !== undefined) file.initialComment = comment;
    }
    return {
      ok: true,
      files: files.map((f) => ({
        id: f.id,
        name: f.filename,
        title: f.title ?? f.filename,
        size: f.content?.length,
      })),
    };
  }

  /** The files named by completeUploadExternal's `files` argument, each uploaded and not yet completed. */
  private uploadedFiles(entries: unknown): StoredFile[] | ApiResult {
    if (!Array.isArray(entries) || entries.length === 0) return fail('invalid_arguments');
    const files: StoredFile[] = [];
    for (const entry of entries as unknown[]) {
      const fields = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
      const file = typeof fields.id === 'string' ? this.uploads.get(fields.id) : undefined;
      if (file?.content === undefined || file.completed) return fail('file_not_found');
      if (typeof fields.title === 'string') file.title = fields.title;
      files.push(file);
    }
    return files;
  }

  /** Posts the message that shows shared files in the channel or thread; returns the error when it cannot. */
  private shareFiles(
    files: StoredFile[],
    channelId: string,
    threadTs: string | undefined,
    comment: string | undefined,
  ): ApiResult | undefined {
    const target = this.writable(channelId);
    if ('ok' in target) return target;
    const message: StoredMessage = {
      channel: target.id,
      ts: this.nextTs(),
      user: this.identity.botUserId,
      bot_id: this.identity.botId,
      edits: 0,
      files: files.map((f) => ({
        id: f.id,
        name: f.filename,
        ...(f.title === undefined ? {} : { title: f.title }),
      })),
    };
    if (threadTs !== undefined) message.thread_ts = threadTs;
    if (comment !== undefined) message.text = comment;
    this.posted.push(message);
    return undefined;
  }

  /**
   * views.open: a modal needs a trigger_id, used once (Slack's expire after 3 seconds; the stand-in only refuses a
   * second use), and a view with type `modal`, a title and blocks.
   */
  private openView(args: CallArgs): ApiResult {
    const triggerId = str(args, 'trigger_id');
    if (triggerId === undefined || triggerId === '') return fail('invalid_arguments');
    if (this.openedViews.some((v) => v.triggerId === triggerId)) return fail('expired_trigger_id');
    const view = args.view;
    if (view === null || typeof view !== 'object' || Array.isArray(view)) return fail('invalid_arguments');
    const fields = view as Record<string, unknown>;
    if (fields.type !== 'modal' || typeof fields.title !== 'object' || !Array.isArray(fields.blocks))
      return fail('invalid_arguments');
    const id = `V${String(this.openedViews.length + 1).padStart(8, '0')}`;
    this.openedViews.push({ id, triggerId, view: fields });
    const { teamId, appId, botId } = this.identity;
    return {
      ok: true,
      view: {
        id,
        team_id: teamId,
        app_id: appId,
        bot_id: botId,
        state: { values: {} },
        hash: `h${id}`,
        ...fields,
      },
    };
  }

  /**
   * files.info: the file object Slack describes (id, name, size, mimetype, `url_private` and
   * `url_private_download`, the channels it is shared in under `channels`/`groups` and `shares`).
   */
  private fileInfo(args: CallArgs): ApiResult {
    const id = str(args, 'file');
    if (id === undefined || id === '') return fail('invalid_arguments');
    const file = this.shared.get(id);
    if (file === undefined) return fail('file_not_found');
    if (file.deleted) return fail('file_deleted');
    const { teamId, teamDomain } = this.identity;
    const path = `${teamId}-${file.id}/${encodeURIComponent(file.name)}`;
    const isPrivate = (channel: string): boolean => channel.startsWith('G');
    const share = (channel: string): [string, unknown[]] => [
      channel,
      [
        {
          reply_users: [],
          reply_count: 0,
          ts: `${file.created}.000100`,
          channel_name: this.channel(channel).name,
          team_id: teamId,
        },
      ],
    ];
    return {
      ok: true,
      file: {
        id: file.id,
        created: file.created,
        timestamp: file.created,
        name: file.name,
        title: file.title,
        mimetype: file.mimetype,
        filetype: file.filetype,
        pretty_type: file.filetype.toUpperCase(),
        user: file.user,
        user_team: teamId,
        editable: false,
        size: file.content.length,
        mode: 'hosted',
        is_external: false,
        external_type: '',
        is_public: file.channels.some((c) => !isPrivate(c)),
        url_private: this.privateUrl(`/files-pri/${path}`),
        url_private_download: this.privateUrl(
          `/files-pri/${teamId}-${file.id}/download/${encodeURIComponent(file.name)}`,
        ),
        permalink: `https://${teamDomain}.slack.com/files/${file.user}/${file.id}/${encodeURIComponent(file.name)}`,
        channels: file.channels.filter((c) => !isPrivate(c)),
        groups: file.channels.filter(isPrivate),
        ims: [],
        shares: {
          ...(file.channels.some((c) => !isPrivate(c))
            ? { public: Object.fromEntries(file.channels.filter((c) => !isPrivate(c)).map(share)) }
            : {}),
          ...(file.channels.some(isPrivate)
            ? { private: Object.fromEntries(file.channels.filter(isPrivate).map(share)) }
            : {}),
        },
        comments_count: 0,
      },
      comments: [],
      response_metadata: { next_cursor: '' },
    };
  }

  private wire(message: StoredMessage): Record<string, unknown> {
    const wire: Record<string, unknown> = { type: 'message', ...message };
    // Slack's message objects carry neither the channel (it is beside them) nor our edit counter.
    delete wire.channel;
    delete wire.edits;
    return wire;
  }
}
