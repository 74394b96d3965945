import type { ErrorRequestHandler, RequestHandler } from "express";
import type { z } from "zod";
import { RegistryConflictError } from "../brands/registry";

/**
 * A refused request: HTTP status and a stable machine-readable code, answered as
 * `{ "error": { "code", "message" } }`. Every cause has its own code (see docs/relay.md).
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An HttpError as it crosses threads (structured clone keeps no class): its status, code and message. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

/** A result that may be a refusal (`{ kind: "error", error }`), as it crosses threads: the refusal as its Refusal. */
export type Sent<R> = R extends { kind: "error"; error: HttpError } ? { kind: "error"; refusal: Refusal } : R;

/** Results as they cross threads (a procedure's answer): each refusal as its Refusal. */
export function sendResults<R extends { kind: string }>(results: readonly R[]): Sent<R>[] {
  return results.map((r) => {
    if (r.kind !== "error") return r;
    const { status, code, message } = (r as unknown as { error: HttpError }).error;
    return { kind: "error", refusal: { status, code, message } };
  }) as Sent<R>[];
}

/** The results again, each refusal an HttpError. */
export function receiveResults<R extends { kind: string }>(sent: readonly Sent<R>[]): R[] {
  return sent.map((r) => {
    if (r.kind !== "error") return r;
    const { status, code, message } = (r as { refusal: Refusal }).refusal;
    return { kind: "error", error: new HttpError(status, code, message) };
  }) as R[];
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * Turns a zod failure into an HttpError. A schema can name the code of its own failure with
 * `params: { code }` on a refinement (e.g. `invalid_address`, `invalid_amount`); any other failure is
 * `invalid_request`. The message names the field.
 */
export function validationError(error: z.ZodError): HttpError {
  const issue = error.issues.find((i) => i.code === "custom" && typeof i.params?.code === "string") ?? error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  const code = issue?.code === "custom" && typeof issue.params?.code === "string" ? (issue.params.code as string) : "invalid_request";
  return new HttpError(400, code, `${where}${issue?.message ?? "invalid request"}`);
}

/** Parses `value` with `schema`, throwing the matching HttpError. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error);
  return r.data;
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, "route_not_found", `no route ${req.method} ${req.path}`));
};

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  /** PostgreSQL's SQLSTATE and constraint name, when the error comes from the database. */
  code?: unknown;
  constraint?: unknown;
}

/** What may be logged of an unexpected error: its class, and a database error's code and constraint (never its detail, values or stack). */
function loggable(e: BodyParserError | undefined): Record<string, unknown> {
  return {
    name: typeof e?.name === "string" ? e.name : typeof e,
    ...(typeof e?.code === "string" ? { code: e.code } : {}),
    ...(typeof e?.constraint === "string" ? { constraint: e.constraint } : {}),
  };
}

/** The last middleware: every error becomes a JSON error body; unexpected ones are logged and 500. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  let status = 500;
  let body = errorBody("internal_error", "internal error");
  if (err instanceof HttpError) {
    status = err.status;
    body = errorBody(err.code, err.message);
  } else if (err instanceof RegistryConflictError) {
    status = 409;
    body = errorBody(err.code, err.message);
  } else {
    const e = err as BodyParserError;
    switch (e?.type) {
      case "entity.parse.failed":
        status = 400;
        body = errorBody("malformed_json", "the body is not valid JSON");
        break;
      case "entity.too.large":
        status = 413;
        body = errorBody("body_too_large", "the body is larger than the relay accepts");
        break;
      case "encoding.unsupported":
      case "charset.unsupported":
        status = 415;
        body = errorBody("unsupported_encoding", e.message);
        break;
      case "request.aborted":
        status = 400;
        body = errorBody("request_aborted", "the request was aborted");
        break;
      default: {
        const carried = e?.status ?? e?.statusCode;
        if (err instanceof URIError) {
          status = 400;
          body = errorBody("malformed_path", "the path is not valid percent-encoding");
        } else if (typeof e?.code === "string" && /^(Z_|ERR__ERROR|ERR_BROTLI)/.test(e.code)) {
          status = 400;
          body = errorBody("malformed_body", "the compressed body cannot be decompressed");
        } else if (typeof carried === "number" && Number.isInteger(carried) && carried >= 400 && carried < 500) {
          // Any other error that already says it is the client's: its 4xx with a typed code, never a 500.
          status = carried;
          body = errorBody("bad_request", "the request cannot be handled as sent");
        } else {
          req.log?.error({ err: loggable(e) }, "request failed");
        }
      }
    }
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).json(body);
};
