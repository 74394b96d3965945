import type { Hex, PublicClient } from "viem";

/**
 * Sending a signed transaction, with the node's answers that are not failures told apart: the node has
 * it already, its nonce is used (mined: receipts will tell which version), or a higher-fee version is
 * already in its pool. Anything else (endpoint down, node refusing) is a BroadcastError: the caller keeps
 * the persisted transaction and tries again later.
 */
export type BroadcastOutcome = "sent" | "known" | "nonceUsed" | "underpriced";

export class BroadcastError extends Error {
  override name = "BroadcastError";
}

function messagesOf(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let i = 0; cur && typeof cur === "object" && i < 10; i++) {
    const e = cur as { message?: unknown; details?: unknown; cause?: unknown };
    if (typeof e.details === "string") parts.push(e.details);
    if (typeof e.message === "string") parts.push(e.message);
    cur = e.cause;
  }
  return parts.join(" | ");
}

export async function broadcastRaw(client: PublicClient, raw: Hex): Promise<BroadcastOutcome> {
  try {
    await client.request({ method: "eth_sendRawTransaction", params: [raw] });
    return "sent";
  } catch (err) {
    const text = messagesOf(err);
    if (/already known|known transaction|already imported|already exists|AlreadyKnown/i.test(text)) return "known";
    if (/nonce too low|nonce has already been used|NONCE_EXPIRED|invalid nonce|OldNonce/i.test(text)) return "nonceUsed";
    if (/underpriced|fee too low|ReplacementNotAllowed/i.test(text)) return "underpriced";
    throw new BroadcastError(text.split("\n")[0]!.slice(0, 500));
  }
}
