import { keccak256, stringToBytes, type Hex } from "viem";
import { canonicalJson, noticeHash } from "./canonical";
import { NoticeRelayError } from "./errors";
import { parseNotice } from "./parse";
import type { Notice } from "./schema";

async function answer(res: Response): Promise<{ text: string; json: unknown }> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (typeof err?.code === "string") throw new NoticeRelayError(res.status, err.code, String(err.message ?? err.code));
    throw new NoticeRelayError(res.status, "unexpected_answer", `the relay answered HTTP ${res.status} without an error body`);
  }
  return { text, json };
}

export interface FetchNoticeParameters {
  /** The relay's base URL, e.g. "https://relay.example". */
  relayUrl: string;
  /** The notice hash, as a grant or `purposeOf` names it. */
  noticeHash: Hex;
}

export interface FetchNoticeReturnType {
  notice: Notice;
  /** The document exactly as served: its canonical JSON. */
  canonical: string;
}

/**
 * The notice document a relay serves for `noticeHash` (`GET /v1/notices/{noticeHash}`), checked: the bytes
 * served must hash to `noticeHash` and follow the schema, so a relay cannot show another text than the one
 * the customer consented to. Throws NoticeRelayError (`notice_not_found`, or `notice_hash_mismatch` when the
 * bytes do not hash to what was asked) and InvalidNoticeError.
 *
 * @example await fetchNotice({ relayUrl, noticeHash: "0x5c1f…" })
 */
export async function fetchNotice({ relayUrl, noticeHash: hash }: FetchNoticeParameters): Promise<FetchNoticeReturnType> {
  const res = await fetch(`${relayUrl.replace(/\/$/, "")}/v1/notices/${hash}`, { headers: { accept: "application/json" } });
  const { text, json } = await answer(res);
  const served = keccak256(stringToBytes(text));
  if (served !== hash.toLowerCase()) {
    throw new NoticeRelayError(res.status, "notice_hash_mismatch", `the relay served a document whose hash is ${served}, not ${hash}`);
  }
  const notice = parseNotice(json);
  if (canonicalJson(notice) !== text) throw new NoticeRelayError(res.status, "notice_not_canonical", "the relay served the notice in a non-canonical encoding");
  return { notice, canonical: text };
}

export interface UploadNoticeParameters {
  /** The relay's base URL. */
  relayUrl: string;
  /** The brand's API key (never logged). */
  apiKey: string;
  /** The document, already checked with `parseNotice`. */
  notice: Notice;
}

export interface UploadNoticeReturnType {
  noticeHash: Hex;
  /** False when the relay already held this exact document. */
  created: boolean;
  /** Where the relay serves it. */
  url: string;
}

/**
 * Stores a brand's notice document at a relay (`PUT /v1/brand/notices`, idempotent), which then serves it at
 * `/v1/notices/{noticeHash}`. Checks that the relay computed the same hash. Throws NoticeRelayError.
 *
 * @example await uploadNotice({ relayUrl, apiKey: process.env.BRAND_API_KEY!, notice })
 */
export async function uploadNotice({ relayUrl, apiKey, notice }: UploadNoticeParameters): Promise<UploadNoticeReturnType> {
  const base = relayUrl.replace(/\/$/, "");
  const res = await fetch(`${base}/v1/brand/notices`, {
    method: "PUT",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: canonicalJson(notice),
  });
  const { json } = await answer(res);
  const expected = noticeHash(notice);
  const got = (json as { noticeHash?: unknown } | undefined)?.noticeHash;
  if (got !== expected) throw new NoticeRelayError(res.status, "notice_hash_mismatch", `the relay computed ${String(got)}, expected ${expected}`);
  return { noticeHash: expected, created: res.status === 201, url: `${base}/v1/notices/${expected}` };
}
