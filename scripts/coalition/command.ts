import { getAddress, isAddress, parseUnits, type Abi, type Address } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import type { Ctx, Settlement } from "./context";
import { UsageError } from "./errors";
import { send } from "./send";

export type Role = "governance" | "brand" | "operator" | "anyone";

export interface OptionSpec {
  type: "string" | "boolean";
  /** Placeholder of the value in the help, e.g. "FILE". */
  value?: string;
  description: string;
}

export interface RunArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  env: NodeJS.ProcessEnv;
}

/** One command of `npm run coalition`: its help, its arguments, and what it does. */
export interface Command {
  name: string;
  role: Role;
  /** Arguments after the name, e.g. "BRAND". */
  usage: string;
  summary: string;
  /** Paragraphs of `--help`. */
  help: string;
  options?: Record<string, OptionSpec>;
  args: { min: number; max: number };
  needsKey: boolean;
  run(ctx: Ctx, a: RunArgs): Promise<void>;
}

export function addressArg(value: string | undefined, what: string): Address {
  if (value === undefined || !isAddress(value)) throw new UsageError(`${what} must be an address${value === undefined ? "" : `, not ${value}`}`);
  return getAddress(value);
}

export function onOffArg(value: string | undefined, what: string): boolean {
  if (value === "on") return true;
  if (value === "off") return false;
  throw new UsageError(`${what} must be on or off${value === undefined ? "" : `, not ${value}`}`);
}

/** An amount of the settlement asset in its units ("1000", "12.5"), as base units. */
export function amountArg(value: string | undefined, settlement: Settlement): bigint {
  const decimals = settlement.decimals;
  const re = decimals > 0 ? new RegExp(`^(0|[1-9]\\d*)(\\.\\d{1,${decimals}})?$`) : /^(0|[1-9]\d*)$/;
  if (value === undefined || !re.test(value)) {
    throw new UsageError(`the amount must be a number of ${settlement.symbol} with at most ${decimals} decimals, such as 1000 or 12.5${value === undefined ? "" : `, not ${value}`}`);
  }
  return parseUnits(value, decimals);
}

/** Sends a call of CoalitionPoints from the command's key, printed as `functionName(args)`. */
export function pointsCall(ctx: Ctx, functionName: string, args: readonly unknown[], label?: string): Promise<void> {
  return send(ctx, {
    contract: "CoalitionPoints",
    address: ctx.points,
    abi: coalitionPointsAbi as Abi,
    functionName,
    args,
    label: label ?? `${functionName}(${args.map((a) => (Array.isArray(a) ? `[${a.join(", ")}]` : String(a))).join(", ")})`,
  });
}

/** The address of the command's key. */
export const sender = (ctx: Ctx): Address => ctx.account!.address;
