import type { RequestHandler } from "express";
import type { Env } from "../config";
import type { Db } from "../store/db";
import { bearerToken, secretEquals } from "../brands/apiKeys";
import { brandByApiKey } from "../brands/registry";
import { HttpError } from "./errors";
import { locals } from "./context";

/** RELAY_ADMIN_TOKEN as a bearer token; the admin API is off (503) when the token is not configured. */
export function adminAuth(config: Env): RequestHandler {
  return (req, _res, next) => {
    if (!config.RELAY_ADMIN_TOKEN) throw new HttpError(503, "admin_api_disabled", "RELAY_ADMIN_TOKEN is not configured");
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new HttpError(401, "missing_admin_token", "send Authorization: Bearer <RELAY_ADMIN_TOKEN>");
    if (!secretEquals(token, config.RELAY_ADMIN_TOKEN)) throw new HttpError(401, "invalid_admin_token", "the admin token is not valid");
    next();
  };
}

/** A brand API key as a bearer token; sets `locals(res).brand`. */
export function brandAuth(db: Db): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new HttpError(401, "missing_api_key", "send Authorization: Bearer <brand API key>");
    const brand = await brandByApiKey(db, token);
    if (!brand) throw new HttpError(401, "invalid_api_key", "the brand API key is not valid");
    if (brand.disabled) throw new HttpError(403, "brand_disabled", "this brand is disabled on this relay");
    locals(res).brand = brand;
    next();
  };
}
