/**
 * The typed layer beyond imaplib: pure, synchronous parsers from imaplib-shaped result data to
 * typed objects (imapflow's field names, Web types), the text functions IMAP needs (modified
 * UTF-7 mailbox names, RFC 2047 encoded words, RFC 2231 parameters, sequence sets), and the
 * typed methods (`client/`): functions taking an `IMAP4` client that compose its imaplib
 * methods with these parsers (Unicode mailbox names, query objects, typed results, NO and BAD
 * thrown as `IMAP4CommandError`).
 *
 * `mod.ts` at the root re-exports everything here.
 *
 * @example Typed messages from a FETCH result
 * ```ts
 * import { parseFetch } from "@imaplib/imaplib";
 * const data = [new TextEncoder().encode("3 (UID 9 FLAGS (\\Seen \\Answered))")];
 * const [msg] = parseFetch(data);
 * console.assert(msg.seq === 3 && msg.uid === 9 && msg.flags?.has("\\Answered"));
 * ```
 *
 * @module
 */

export { TypedParseError } from "./errors.ts";
export { type DataItem, type ResponseParts, splitResponses } from "./data.ts";
export { ImapTokenizer } from "./tokenizer.ts";
export { type FetchAttName, type ImapValue, MAX_DEPTH } from "./tokens.ts";
export { decodeMailbox, encodeMailbox } from "./utf7.ts";
export { decodeWords } from "./encoded_words.ts";
export { decodeParameters } from "./parameters.ts";
export { transferDecoder } from "./transfer_encoding.ts";
export {
  compressSequenceSet,
  countSequenceSet,
  type ExpandOptions,
  expandSequenceSet,
} from "./sequence_set.ts";
export type { Address, Envelope } from "./envelope.ts";
export type { BodyStructure } from "./body_structure.ts";
export { type FetchMessage, parseFetch, parseFetchResponse } from "./fetch.ts";
export type { MailboxNameOptions } from "./mailbox.ts";
export { type ListEntry, parseList } from "./list.ts";
export { type MailboxTree, mailboxTree, type MailboxTreeNode } from "./mailbox_tree.ts";
export { type MailboxEvent, mailboxEvents } from "./mailbox_events.ts";
export { FLAG_COLORS, type FlagColor, flagColor } from "./flag_color.ts";
export { type MailboxStatus, parseStatus } from "./status.ts";
export { type EsearchResult, parseEsearch, parseSearch } from "./search.ts";
export { parseThread, type ThreadNode } from "./thread.ts";
export { type Namespace, type Namespaces, parseNamespace } from "./namespace.ts";
export {
  parseQuota,
  parseQuotaRoot,
  type Quota,
  type QuotaResource,
  type QuotaRoot,
} from "./quota.ts";
export { type Acl, type MyRights, parseAcl, parseMyRights } from "./acl.ts";
export { parseResponseCodeTyped, type TypedResponseCode } from "./response_code.ts";

// The typed methods: functions of an IMAP4 client (src/typed/client/).
export { IMAP4CancelledError, IMAP4CommandError } from "./client/errors.ts";
export type { MessageSet } from "./client/arguments.ts";
export {
  fetchAll,
  fetchMessage,
  fetchMessages,
  type FetchMessagesOptions,
  type FetchQuery,
} from "./client/fetch_messages.ts";
export {
  listMailboxes,
  type ListMailboxesOptions,
  listMailboxTree,
  type MailboxListEntry,
} from "./client/list_mailboxes.ts";
export {
  createMailbox,
  type CreateMailboxOptions,
  deleteMailbox,
  renameMailbox,
  type SignalOptions,
  statusMailbox,
  type StatusQuery,
  subscribeMailbox,
  unsubscribeMailbox,
} from "./client/mailboxes.ts";
export {
  type QresyncParameters,
  type SelectedMailbox,
  selectMailbox,
  type SelectMailboxOptions,
} from "./client/select_mailbox.ts";
export type { SearchQuery } from "./client/search_query.ts";
export { searchMessages, type SearchMessagesOptions } from "./client/search_messages.ts";
export {
  type SortCriterion,
  type SortKey,
  sortMessages,
  type SortMessagesOptions,
  type ThreadAlgorithm,
  threadMessages,
} from "./client/sort_thread.ts";
export {
  type SearchReturn,
  type SearchSummary,
  searchSummary,
  type SearchSummaryOptions,
} from "./client/search_summary.ts";
export { enableImap4rev2 } from "./client/imap4rev2.ts";
export {
  appendMessage,
  type AppendMessageOptions,
  type AppendResult,
} from "./client/append_message.ts";
export {
  copyMessages,
  type CopyMessagesOptions,
  type CopyResult,
  moveMessages,
  type MoveMessagesOptions,
  type MoveResult,
} from "./client/copy_move.ts";
export {
  addFlags,
  removeFlags,
  setFlagColor,
  setFlags,
  type StoreFlagsOptions,
  type StoreFlagsResult,
} from "./client/store_flags.ts";
export {
  deleteMessages,
  type DeleteMessagesOptions,
  expungeMessages,
  type ExpungeMessagesOptions,
  type ExpungeResult,
} from "./client/expunge_messages.ts";
export { unselectMailbox, type UnselectMethod } from "./client/unselect_mailbox.ts";
export {
  type Download,
  type DownloadMeta,
  downloadPart,
  type DownloadPartOptions,
} from "./client/download_part.ts";
export { type DownloadedPart, downloadParts } from "./client/download_parts.ts";
export { getNamespaces } from "./client/namespaces.ts";
export { watchMailbox, type WatchMailboxOptions } from "./client/watch_mailbox.ts";
export { getQuota, type MailboxQuota } from "./client/get_quota.ts";
export {
  type MailboxChanges,
  mailboxChanges,
  type MailboxChangesOptions,
  type MailboxSyncState,
  type SyncMethod,
} from "./client/changes.ts";
