import type { Response } from "express";
import type { RelayDeps } from "../deps";
import type { ApiDocs } from "./openapi";
import type { HttpMetrics } from "./metrics";
import type { StoreEventBus } from "../devices/bus";
import type { Brand, Device } from "../brands/registry";
import type { StaffStreams } from "../devices/staffStreams";

/** What the HTTP routers are built from. */
export interface HttpContext {
  deps: RelayDeps;
  docs: ApiDocs;
  metrics: HttpMetrics;
  bus: StoreEventBus;
  /** Open staff streams of this instance: capped, ended by brand and when the relay stops. */
  streams: StaffStreams;
  /** The relay's signer addresses (lower case), when its keys are configured: brands' operators must be among them. */
  signerAddresses?: readonly string[];
}

/** Per-request facts set by the authentication middlewares. */
export interface AuthLocals {
  brand?: Brand;
  device?: Device;
  rawBody?: Buffer;
  /** Added to the request's log line once it is answered (accessLog.ts). */
  logFields?: Record<string, unknown>;
}

export function locals(res: Response): AuthLocals {
  return res.locals as AuthLocals;
}
