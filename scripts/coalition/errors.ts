/**
 * How the coalition command ends. Each failure is a class with its exit status, so `scripts/coalition.ts`
 * maps them in one place (docs/coalition.md, "Exit status").
 */
export const EXIT = {
  /** Done: every transaction mined and succeeded (or, for `status`, the state was read). */
  ok: 0,
  /** A contract refused the call (decoded custom error); nothing was changed. */
  refused: 1,
  /** Bad arguments, a missing or refused key, an unreadable or invalid notice file. Nothing was sent. */
  usage: 2,
  /** The chain endpoint failed: unreachable, another chain than the deployment's, no contract there, a transaction not accepted. */
  chain: 3,
  /** The relay refused or could not take the notice document (define-purpose --relay). */
  relay: 4,
} as const;

export class UsageError extends Error {
  override name = "UsageError";
  readonly exitCode = EXIT.usage;
}

/** A contract's refusal: `decoded` is the custom error as the contracts' docs name it, `explanation` says it in words. */
export class RefusedError extends Error {
  override name = "RefusedError";
  readonly exitCode = EXIT.refused;
  constructor(
    readonly contract: string,
    readonly decoded: string,
    readonly explanation: string,
  ) {
    super(`refused by ${contract}: ${decoded}`);
  }
}

export class ChainError extends Error {
  override name = "ChainError";
  readonly exitCode = EXIT.chain;
}

export class RelayFailure extends Error {
  override name = "RelayFailure";
  readonly exitCode = EXIT.relay;
}

/** The first line of an error's message, viem's short message when it has one. */
export function shortMessage(err: unknown): string {
  const e = err as { shortMessage?: unknown; message?: unknown };
  return String(e?.shortMessage ?? e?.message ?? err).split("\n")[0]!;
}
