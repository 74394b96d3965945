import type { ActionFailure } from "../actions/signedAction";
import { RELAY_UNREACHABLE, WALLET_REFUSED } from "../actions/signedAction";
import type { MessageKey, PlainMessageKey } from "../i18n/translate";

/** The relay's and the contracts' codes the app says in the reader's words; others show the relay's message. */
const KNOWN = new Set<string>([
  "stale_notice",
  "insufficient_points",
  "consent_required",
  "card_linked_elsewhere",
  "cards_disabled",
  "nonce_used",
  "chain_unavailable",
  "invalid_display_name",
  "RedemptionsNotAccepted",
]);

/** How a failure is said: a plain message key, or the generic "Not done: {message}" with the relay's words. */
export function failureWords(failure: ActionFailure): { key: PlainMessageKey } | { key: "action.failed"; message: string } {
  if (failure.code === WALLET_REFUSED) return { key: "action.refused" };
  if (failure.code === RELAY_UNREACHABLE) return { key: "action.unreachable" };
  if (KNOWN.has(failure.code)) return { key: `error.${failure.code}` as MessageKey as PlainMessageKey };
  return { key: "action.failed", message: failure.message };
}
