import type { Command } from "./command";
import { addressArg, onOffArg, pointsCall } from "./command";
import { UsageError } from "./errors";
import { printBrand, printCoalition } from "./print";
import { readBrand, readCoalition } from "./state";

/** Governance's commands: the key holding CoalitionPoints' admin role (a multisig's signer in production). */
const brandCommand = (name: "admit" | "suspend", functionName: string, summary: string, help: string): Command => ({
  name,
  role: "governance",
  usage: "BRAND",
  summary,
  help,
  args: { min: 1, max: 1 },
  needsKey: true,
  async run(ctx, { positionals }) {
    const brand = addressArg(positionals[0], "BRAND");
    await pointsCall(ctx, functionName, [brand]);
    ctx.out();
    printBrand(ctx, await readBrand(ctx, brand));
  },
});

/** A governance setting, then the coalition's state. */
const setting = (spec: Omit<Command, "role" | "needsKey" | "run">, call: (positionals: string[]) => [string, readonly unknown[]]): Command => ({
  ...spec,
  role: "governance",
  needsKey: true,
  async run(ctx, { positionals }) {
    const [functionName, args] = call(positionals);
    await pointsCall(ctx, functionName, args);
    ctx.out();
    printCoalition(ctx, await readCoalition(ctx));
  },
});

/** "never", 0, a number of seconds, or a number of days ("90d"). */
export function parsePeriod(value: string | undefined): number {
  if (value === "never") return 0;
  const m = value === undefined ? null : /^(\d{1,10})(d?)$/.exec(value);
  const seconds = m ? Number(m[1]) * (m[2] ? 86_400 : 1) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds >= 2 ** 40) throw new UsageError(`PERIOD must be "never", a number of seconds or of days ("90d")${value === undefined ? "" : `, not ${value}`}`);
  return seconds;
}

export const governanceCommands: Command[] = [
  brandCommand(
    "admit",
    "admitBrand",
    "admit a brand to the coalition (or re-admit a suspended one)",
    "Governance admits BRAND (its own address: the key that will deposit backing and define purposes). An admitted brand deposits, issues points through its operators and accepts redemptions.",
  ),
  brandCommand(
    "suspend",
    "suspendBrand",
    "suspend a brand: no more issuance; its customers' points stay valid everywhere",
    "Governance suspends BRAND: it can no longer deposit, issue or accept redemptions; it can still withdraw its backing, reverse its own receipts and manage its operators. `admit` re-admits it.",
  ),
  setting(
    {
      name: "treasury",
      usage: "ADDRESS",
      summary: "set where the backing of expired points goes",
      help: "Governance sets the treasury: `expire` sends the backing of expired points there.",
      args: { min: 1, max: 1 },
    },
    (p) => ["setTreasury", [addressArg(p[0], "ADDRESS")]],
  ),
  setting(
    {
      name: "expiry",
      usage: "PERIOD",
      summary: 'set the inactivity expiry period ("never", seconds, or days as "365d")',
      help:
        'Governance sets how long a customer may stay inactive before its points can be expired: "never" (or 0), a number of seconds, or of days ("365d"); at least 30 days. ' +
        "A shorter period than the one in force (turning expiry on included) applies only 30 days after it is set: `status` shows it as the pending expiry.",
      args: { min: 1, max: 1 },
    },
    (p) => ["setExpiryPeriod", [parsePeriod(p[0])]],
  ),
  setting(
    {
      name: "transfers",
      usage: "on|off",
      summary: "turn customer-to-customer transfers on or off",
      help: "Governance allows (on) or forbids (off, the default) customers to transfer points to each other. Issuance, redemption, reversal and expiry are unaffected.",
      args: { min: 1, max: 1 },
    },
    (p) => ["setTransfersEnabled", [onOffArg(p[0], "the argument")]],
  ),
  setting(
    {
      name: "pause",
      usage: "",
      summary: "stop every movement of points and funds (an incident)",
      help: "Governance pauses CoalitionPoints: issuance, reversal, redemption, transfers, expiry, deposits and withdrawals are refused until `unpause`; operators, settings and views still work, and the expiry clock stands still.",
      args: { min: 0, max: 0 },
    },
    () => ["pause", []],
  ),
  setting(
    {
      name: "unpause",
      usage: "",
      summary: "lift a pause",
      help: "Governance lifts a pause.",
      args: { min: 0, max: 0 },
    },
    () => ["unpause", []],
  ),
  setting(
    {
      name: "tiers",
      usage: "THRESHOLD... | none",
      summary: "set the coalition's tiers as lifetime-earned thresholds (none removes them)",
      help: 'Governance sets the tiers: strictly increasing thresholds of lifetime earned points, at most 16 (e.g. `tiers 1000 5000 20000`); a customer\'s tier counts the thresholds it reaches. "none" removes the tiers.',
      args: { min: 1, max: 100 },
    },
    (p) => {
      if (p.length === 1 && p[0] === "none") return ["setTiers", [[]]];
      for (const t of p) if (!/^\d{1,30}$/.test(t)) throw new UsageError(`a tier threshold must be a whole number of points, not ${t}`);
      return ["setTiers", [p.map((t) => BigInt(t))]];
    },
  ),
];
