import { HttpError } from "./errors";

/** Runs a chain read; an unreachable or failing endpoint becomes 503 chain_unavailable (nothing is stored). */
export async function chainCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(503, "chain_unavailable", `cannot read ${what} from the chain: ${(err as Error).message.split("\n")[0]}`);
  }
}
