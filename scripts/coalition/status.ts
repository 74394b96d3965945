import type { Command } from "./command";
import { addressArg } from "./command";
import { printBrand, printCoalition } from "./print";
import { readBrand, readCoalition } from "./state";

export const statusCommand: Command = {
  name: "status",
  role: "anyone",
  usage: "[BRAND]",
  summary: "what the chain says about the coalition, or about one brand",
  help:
    "Without BRAND: the contracts, settlement asset and unit value, governance, treasury, pause, transfers, expiry in force and pending, tiers, points in circulation and every brand ever admitted. " +
    "With BRAND: its status, whether it accepts redemptions, its backing, its wallet and allowance in the settlement asset, its operators and proposed operators, and its purposes with their current notice. " +
    "Needs no key. Lists come from the contracts' logs since the deployment's block (--from-block), each checked against the contracts' views.",
  args: { min: 0, max: 1 },
  needsKey: false,
  async run(ctx, { positionals }) {
    if (positionals.length === 0) printCoalition(ctx, await readCoalition(ctx));
    else printBrand(ctx, await readBrand(ctx, addressArg(positionals[0], "BRAND")));
  },
};
