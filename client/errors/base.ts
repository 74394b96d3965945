export type BaseErrorParameters = {
  /** What went wrong in more detail (the server's answer, the signer's own message...). */
  details?: string | undefined;
  /** The error this one wraps. */
  cause?: unknown;
};

/**
 * The root of the client module's errors: a short message a person can read, the details, and the
 * error it wraps (`cause`). Each subclass sets its own `name`.
 *
 * @example
 * try { await relay.grant({ ... }) } catch (err) { if (err instanceof BaseError) show(err.shortMessage) }
 */
export class BaseError extends Error {
  override name = "ConfianceError";
  readonly shortMessage: string;
  readonly details: string;

  constructor(shortMessage: string, { details, cause }: BaseErrorParameters = {}) {
    const detail = details ?? detailsOf(cause);
    super(detail ? `${shortMessage}\n\nDetails: ${detail}` : shortMessage, cause === undefined ? undefined : { cause });
    this.shortMessage = shortMessage;
    this.details = detail;
  }

  /** The innermost error of the `cause` chain for which `fn` holds (the innermost of all without `fn`). */
  walk(fn?: (err: unknown) => boolean): unknown {
    let found: unknown = fn === undefined || fn(this) ? this : undefined;
    let err: unknown = this.cause;
    while (err !== undefined && err !== null) {
      if (fn === undefined || fn(err)) found = err;
      err = (err as { cause?: unknown }).cause;
    }
    return found;
  }
}

function detailsOf(cause: unknown): string {
  if (cause instanceof BaseError) return cause.shortMessage;
  if (cause instanceof Error) return (cause as Error & { shortMessage?: string }).shortMessage ?? cause.message.split("\n")[0]!;
  return cause === undefined ? "" : String(cause);
}
