import { BaseError } from "./base";

/**
 * The relay refused a request: a non-2xx answer, carrying the HTTP status and the relay's error code and
 * message (`{ "error": { "code", "message" } }`, every code listed in docs/relay.md).
 * `shortMessage` is the relay's message.
 */
export class RelayError extends BaseError {
  override name = "RelayError";
  /** HTTP status, e.g. 409. */
  readonly status: number;
  /** The relay's stable error code, e.g. "nonce_mismatch". */
  readonly code: string;
  readonly method: string;
  readonly path: string;

  constructor({ status, code, message, method, path }: { status: number; code: string; message: string; method: string; path: string }) {
    super(message, { details: `${method} ${path} answered ${status} ${code}` });
    this.status = status;
    this.code = code;
    this.method = method;
    this.path = path;
  }

  /** Worth trying again later, unchanged (the relay or the chain behind it was unavailable). */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** No answer from the relay (network down, refused connection, CORS, DNS). Worth retrying. */
export class RelayConnectionError extends BaseError {
  override name = "RelayConnectionError";
  readonly url: string;

  constructor({ url, cause }: { url: string; cause: unknown }) {
    super(`the relay at ${url} did not answer`, { cause });
    this.url = url;
  }

  get retryable(): boolean {
    return true;
  }
}

/** A 2xx answer that is not the JSON the route promises (a proxy's page, a truncated body). */
export class RelayResponseError extends BaseError {
  override name = "RelayResponseError";
  readonly status: number;

  constructor({ status, method, path, body }: { status: number; method: string; path: string; body: string }) {
    super(`${method} ${path} answered ${status} with a body that is not JSON`, { details: body.slice(0, 200) });
    this.status = status;
  }
}
