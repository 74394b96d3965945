import crypto from "node:crypto";
import type { Request, RequestHandler } from "express";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import type { Counter } from "prom-client";
import type { Env } from "../config";
import { bearerToken } from "../brands/apiKeys";
import { HttpError } from "./errors";

/** Which counter refused a request (the `limit` label of relay_rate_limited_total). */
export type RateLimitName = "client" | "device" | "api_key" | "audit";

export interface RateLimits {
  /** Every /v1 request, per client address. */
  perClient: RequestHandler;
  /**
   * Every request naming an X-Device-Id, per device id and client address, before its signature is checked:
   * requests that only claim a device's id, from anywhere else, cannot use up that device's share.
   */
  perDevice: RequestHandler;
  /** Every request with a bearer token, per token (hashed), before the token is looked up. */
  perApiKey: RequestHandler;
  /** The audit routes, per client address (on top of perClient). */
  audit: RequestHandler;
}

/** The client's address as the socket saw it (no proxy headers are trusted), IPv6 grouped by /56. */
export function clientKey(req: Request): string {
  return ipKeyGenerator(req.socket.remoteAddress ?? "unknown");
}

/**
 * The relay's request rate limits, each a fixed window of RATE_LIMIT_WINDOW_MS counted in this
 * instance's memory (several instances each count their own share). They run before the body is parsed,
 * before any signature check, database read or chain call, so a refused request costs the relay almost
 * nothing. Beyond a limit: 429 `rate_limited` with Retry-After (seconds) and the RateLimit headers.
 */
export function createRateLimits(config: Env, refused: Counter<"limit">): RateLimits {
  const make = (name: RateLimitName, limit: number, key: (req: Request) => string | undefined): RequestHandler =>
    rateLimit({
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      limit,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      identifier: name,
      requestPropertyName: `rateLimit_${name}`,
      validate: false,
      skip: (req) => key(req) === undefined,
      keyGenerator: (req) => key(req)!,
      handler: (req, res, next, options) => {
        refused.inc({ limit: name });
        const info = (req as unknown as Record<string, { resetTime?: Date } | undefined>)[options.requestPropertyName];
        const reset = info?.resetTime;
        const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
        res.setHeader("Retry-After", String(seconds));
        const refusal = new HttpError(429, "rate_limited", `too many requests (${name} limit ${limit} per ${options.windowMs / 1000}s): retry after ${seconds}s`);
        // The refusal is answered after RATE_LIMIT_DELAY_MS: a client past its limit gets at most one answer
        // per connection per delay, so hammering costs the relay a timer, not its event loop.
        if (config.RATE_LIMIT_DELAY_MS > 0) setTimeout(() => next(refusal), config.RATE_LIMIT_DELAY_MS).unref();
        else next(refusal);
      },
    });
  const hashed = (v: string) => crypto.createHash("sha256").update(v).digest("base64url");
  return {
    perClient: make("client", config.RATE_LIMIT_PER_CLIENT, clientKey),
    perDevice: make("device", config.RATE_LIMIT_PER_DEVICE, (req) => {
      const id = req.headers["x-device-id"];
      return typeof id === "string" && id.length > 0 ? `device:${hashed(id)}:${clientKey(req)}` : undefined;
    }),
    perApiKey: make("api_key", config.RATE_LIMIT_PER_API_KEY, (req) => {
      const token = bearerToken(req.headers.authorization);
      return token ? `key:${hashed(token)}` : undefined;
    }),
    audit: make("audit", config.RATE_LIMIT_AUDIT_PER_CLIENT, clientKey),
  };
}
