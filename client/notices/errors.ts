/** A notice document that does not follow the schema; `issues` says what is wrong, one sentence each. */
export class InvalidNoticeError extends Error {
  override name = "InvalidNoticeError";
  constructor(readonly issues: readonly string[]) {
    super(`the notice does not follow the notice schema: ${issues.join("; ")}`);
  }
}

/** A relay answered a notice request with an error (its `code` and `message`) or with something unexpected. */
export class NoticeRelayError extends Error {
  override name = "NoticeRelayError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
