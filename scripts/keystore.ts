/**
 * `npm run keystore -- <command>`: the relay's keys in an encrypted keystore file (Web3 Secret Storage v3,
 * scrypt; a JSON array with one entry per key), which the relay reads with KEYSTORE_FILE and
 * KEYSTORE_PASSWORD instead of SIGNER_KEYS.
 *
 *   create [--count N] [--out FILE]  new random keys (default 1; file default keys/relay.keystore.json)
 *   import [--out FILE]              the keys in IMPORT_KEYS (comma-separated, from the environment) or,
 *                                    when it is not set, one key per line on standard input
 *   list [--file FILE]               the addresses a keystore holds (no password needed)
 *
 * The password comes from KEYSTORE_PASSWORD, else is asked twice on the terminal (not echoed). Keys and
 * passwords are never taken from the command line. An existing file is never overwritten. The file is
 * written with mode 0600. Exit status: 0 done, 2 usage or refused input, 1 anything else.
 */
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { Wallet } from "ethers";
import { getAddress, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { loadEnvFile } from "../server/config/envFile";

export const DEFAULT_KEYSTORE = path.join("keys", "relay.keystore.json");
const MIN_PASSWORD = 12;

const USAGE = `usage: npm run keystore -- <command> [options]

  create [--count N] [--out FILE]  write N new random keys (default 1) to an encrypted keystore
  import [--out FILE]              encrypt the keys in IMPORT_KEYS (comma-separated, environment) or,
                                   when it is not set, one 0x key per line on standard input
  list [--file FILE]               print the addresses a keystore holds (no password needed)

FILE defaults to ${DEFAULT_KEYSTORE}; an existing file is never overwritten. The password comes from
KEYSTORE_PASSWORD, else it is asked twice on the terminal (at least ${MIN_PASSWORD} characters). Start the
relay with KEYSTORE_FILE=FILE and KEYSTORE_PASSWORD in its environment (not SIGNER_KEYS).`;

class UsageError extends Error {
  override name = "UsageError";
}

const KEY = /^0x[0-9a-fA-F]{64}$/;

async function ask(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError("no KEYSTORE_PASSWORD in the environment and no terminal to ask for one");
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  const answer = new Promise<string>((resolve) => rl.question(question, resolve));
  muted = true;
  const value = await answer;
  rl.close();
  process.stderr.write("\n");
  return value;
}

async function password(env: NodeJS.ProcessEnv): Promise<string> {
  const pw = env.KEYSTORE_PASSWORD ?? (await ask("keystore password: "));
  if (pw.length < MIN_PASSWORD) throw new UsageError(`the password must have at least ${MIN_PASSWORD} characters`);
  if (env.KEYSTORE_PASSWORD === undefined && (await ask("again: ")) !== pw) throw new UsageError("the two passwords differ");
  return pw;
}

async function readKeys(env: NodeJS.ProcessEnv): Promise<Hex[]> {
  const text = env.IMPORT_KEYS ?? (process.stdin.isTTY ? "" : fs.readFileSync(0, "utf8"));
  const keys = text.split(/[,\s]+/).filter(Boolean);
  if (keys.length === 0) throw new UsageError("no keys to import: set IMPORT_KEYS, or pipe one key per line on standard input");
  keys.forEach((k, i) => {
    if (!KEY.test(k)) throw new UsageError(`key ${i + 1} is not a 0x-prefixed 32-byte hex private key`);
  });
  if (new Set(keys.map((k) => k.toLowerCase())).size !== keys.length) throw new UsageError("a key is given twice");
  return keys as Hex[];
}

async function write(file: string, keys: readonly Hex[], pw: string): Promise<void> {
  if (fs.existsSync(file)) throw new UsageError(`${file} exists: it is never overwritten (choose another --out, or move it away)`);
  const entries = [];
  for (const key of keys) entries.push(JSON.parse(await new Wallet(key).encrypt(pw)));
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(entries, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  console.log(`wrote ${file} (mode 0600) holding ${keys.length} key${keys.length === 1 ? "" : "s"}:`);
  for (const k of keys) console.log(`  ${privateKeyToAccount(k).address}`);
  console.log(`start the relay with KEYSTORE_FILE=${file} and KEYSTORE_PASSWORD set; fund each address with the chain's gas token`);
}

function list(file: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`cannot read keystore ${file}: ${(err as Error).message}`);
  }
  const entries = Array.isArray(parsed) ? parsed : [parsed];
  for (const [i, e] of entries.entries()) {
    const address = (e as { address?: unknown })?.address;
    if (typeof address !== "string") throw new UsageError(`keystore entry ${i} names no address`);
    console.log(getAddress(address.startsWith("0x") ? address : `0x${address}`));
  }
}

export async function main(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { count: { type: "string" }, out: { type: "string" }, file: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    if (!command && !values.help) throw new UsageError("no command given");
    return;
  }
  if (rest.length > 0) throw new UsageError("unexpected argument after the command (keys and passwords are never taken from the command line)");
  switch (command) {
    case "create": {
      const count = Number(values.count ?? "1");
      if (!Number.isInteger(count) || count < 1 || count > 100) throw new UsageError("--count must be a whole number from 1 to 100");
      const file = values.out ?? DEFAULT_KEYSTORE;
      if (fs.existsSync(file)) throw new UsageError(`${file} exists: it is never overwritten (choose another --out, or move it away)`);
      await write(file, Array.from({ length: count }, () => generatePrivateKey()), await password(env));
      return;
    }
    case "import": {
      const keys = await readKeys(env);
      await write(values.out ?? DEFAULT_KEYSTORE, keys, await password(env));
      return;
    }
    case "list":
      list(values.file ?? env.KEYSTORE_FILE ?? DEFAULT_KEYSTORE);
      return;
    default:
      throw new UsageError(`unknown command ${command} (create, import or list)`);
  }
}

if (require.main === module) {
  try {
    loadEnvFile();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  main().catch((err: Error) => {
    console.error(`keystore: ${err.message}`);
    process.exit(err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1);
  });
}
