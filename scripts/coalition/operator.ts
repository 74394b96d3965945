import type { Command } from "./command";
import { addressArg, pointsCall } from "./command";
import { printBrand } from "./print";
import { readBrand } from "./state";

/** The operator's commands, sent from the operator key itself (the relay's keystore, a till's key). */
export const operatorCommands: Command[] = [
  {
    name: "accept-operator",
    role: "operator",
    usage: "BRAND",
    summary: "take the operator role a brand proposed to this key",
    help: "Sent from the proposed key: it now acts for BRAND (issue, reverse). With the relay's keystore holding several keys, pick this one with --from ADDRESS.",
    args: { min: 1, max: 1 },
    needsKey: true,
    async run(ctx, { positionals }) {
      const brand = addressArg(positionals[0], "BRAND");
      await pointsCall(ctx, "acceptOperator", [brand]);
      ctx.out();
      printBrand(ctx, await readBrand(ctx, brand));
    },
  },
  {
    name: "renounce-operator",
    role: "operator",
    usage: "BRAND",
    summary: "stop acting for a brand",
    help: "Sent from an operator key: it stops acting for BRAND (and may then serve another brand).",
    args: { min: 1, max: 1 },
    needsKey: true,
    async run(ctx, { positionals }) {
      const brand = addressArg(positionals[0], "BRAND");
      await pointsCall(ctx, "renounceOperator", [brand]);
      ctx.out();
      printBrand(ctx, await readBrand(ctx, brand));
    },
  },
];
