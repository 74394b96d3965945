/**
 * Naming a JSON-RPC endpoint in what the auditor reads (errors, reports) without leaking a key: hosted
 * endpoints carry their API key in the path or the query (`https://host/v3/KEY`), so only the origin is
 * shown, followed by `/…` when the URL had more.
 */
export function describeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    const more = (u.pathname !== "/" && u.pathname !== "") || u.search !== "" || u.username !== "";
    return `${u.origin}${more ? "/…" : ""}`;
  } catch {
    return "(an endpoint that is not a URL)";
  }
}

/** The endpoint failed: no answer, or an error answer. Its message names the endpoint. */
export class EndpointError extends Error {
  override name = "EndpointError";
  constructor(
    readonly endpoint: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${endpoint ? `the endpoint ${endpoint}` : "the endpoint"} failed: ${message}`, options);
  }

  /** `err` as an EndpointError naming `endpoint` (unchanged when it already is one). */
  static wrap(err: unknown, endpoint: string | null): EndpointError {
    if (err instanceof EndpointError) return err;
    const e = err as { shortMessage?: string; message?: string };
    const text = (e?.shortMessage ?? e?.message ?? String(err)).split("\n")[0];
    return new EndpointError(endpoint, text, { cause: err });
  }
}
