import fs from "node:fs";
import type { Abi } from "viem";
import { consentLedgerAbi } from "../../client/abis";
import { InvalidNoticeError, NoticeRelayError, noticeHash, parseNotice, uploadNotice, type Notice } from "../../client/notices";
import { purposeId } from "../../client/purposes";
import type { Command } from "./command";
import { sender } from "./command";
import { needLedger } from "./context";
import { RelayFailure, shortMessage, UsageError } from "./errors";
import { printBrand } from "./print";
import { send } from "./send";
import { readBrand } from "./state";

/** Reads and checks a notice file; every schema problem on its own line. */
export function readNoticeFile(file: string): Notice {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read the notice file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the notice file ${file} is not JSON: ${(err as Error).message}`);
  }
  try {
    return parseNotice(json);
  } catch (err) {
    if (!(err instanceof InvalidNoticeError)) throw err;
    throw new UsageError([`the notice file ${file} does not follow the notice schema (docs/notice.schema.json):`, ...err.issues.map((i) => `  - ${i}`)].join("\n"));
  }
}

export const definePurposeCommand: Command = {
  name: "define-purpose",
  role: "brand",
  usage: "--notice FILE (--uri URI | --relay URL)",
  summary: "publish a purpose's notice from a notice document: its hash and URI on chain, the document at the relay",
  help:
    "The brand publishes the notice customers read before granting a purpose. FILE is a notice document (docs/notice.schema.json): it is checked against the schema " +
    "(an invalid one is refused, every problem named), its controller must be the brand's key, and its keccak-256 over the RFC 8785 canonical JSON is the noticeHash. " +
    "The command calls definePurpose(keccak256(purpose name), noticeHash, URI). With --relay URL and the brand's API key in BRAND_API_KEY, the document is first stored at the relay, " +
    "which then serves it at URL/v1/notices/{noticeHash}; that address is the URI unless --uri names another. Publishing again with a changed document publishes a new version.",
  options: {
    notice: { type: "string", value: "FILE", description: "the notice document (JSON)" },
    uri: { type: "string", value: "URI", description: "where customers read the notice (default with --relay: the relay's URL of the document)" },
    relay: { type: "string", value: "URL", description: "the relay to store the document at (the brand's API key from BRAND_API_KEY)" },
  },
  args: { min: 0, max: 0 },
  needsKey: true,
  async run(ctx, { values, env }) {
    if (typeof values.notice !== "string") throw new UsageError("--notice FILE is required");
    const notice = readNoticeFile(values.notice);
    const brand = sender(ctx);
    if (notice.controller.address.toLowerCase() !== brand.toLowerCase()) {
      throw new UsageError(`the notice names controller ${notice.controller.address}, but the key given is ${brand}: a brand publishes its own notices`);
    }
    const ledger = needLedger(ctx, "define-purpose");
    const hash = noticeHash(notice);
    const relay = typeof values.relay === "string" ? values.relay.replace(/\/$/, "") : undefined;
    if (relay && !env.BRAND_API_KEY) throw new UsageError("--relay needs the brand's API key in BRAND_API_KEY");
    let uri = typeof values.uri === "string" ? values.uri : undefined;
    if (!uri && !relay) throw new UsageError("give --uri URI (where customers read the notice), or --relay URL to store it there");
    if (uri !== undefined && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) throw new UsageError(`--uri must be a URI such as https://brand.example/notices/loyalty-v1.json, not ${uri}`);
    ctx.out(`notice ${values.notice}: purpose ${notice.purpose.name} (${purposeId(notice.purpose.name)}), version ${notice.version}, noticeHash ${hash}`);
    if (relay) {
      let stored;
      try {
        stored = await uploadNotice({ relayUrl: relay, apiKey: env.BRAND_API_KEY!, notice });
      } catch (err) {
        if (err instanceof NoticeRelayError) throw new RelayFailure(`the relay at ${relay} refused the notice: ${err.status} ${err.code}: ${err.message}`);
        throw new RelayFailure(`cannot reach the relay at ${relay}: ${shortMessage(err)}`);
      }
      ctx.out(`  relay ${stored.created ? "stored it" : "already held it"}: ${stored.url}`);
      uri ??= stored.url;
    }
    await send(ctx, {
      contract: "ConsentLedger",
      address: ledger,
      abi: consentLedgerAbi as Abi,
      functionName: "definePurpose",
      args: [purposeId(notice.purpose.name), hash, uri],
      label: `definePurpose(${notice.purpose.name}, ${hash}, ${uri})`,
    });
    ctx.out();
    printBrand(ctx, await readBrand(ctx, brand));
  },
};
