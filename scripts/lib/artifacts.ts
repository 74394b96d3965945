import fs from "node:fs";
import path from "node:path";
import type { Abi, Hex } from "viem";

const ARTIFACTS = path.join(__dirname, "..", "..", "artifacts", "contracts");

export interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

/** Reads a compiled contract (run `npm run build` first), e.g. `artifact("ConsentLedger")` or `artifact("mocks/MockStablecoin")`. */
export function artifact(name: string): Artifact {
  const base = path.basename(name);
  const file = path.join(ARTIFACTS, `${name}.sol`, `${base}.json`);
  if (!fs.existsSync(file)) throw new Error(`no artifact ${file}: run \`npm run build\``);
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { abi: Abi; bytecode: Hex };
  return { abi: json.abi, bytecode: json.bytecode };
}
