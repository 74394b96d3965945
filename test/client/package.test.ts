import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import ts from "typescript";
import * as relative from "../../client";

const ROOT = path.join(__dirname, "../..");
const ENTRY = path.join(ROOT, "client/index.ts");

/** Every file of the client module, with its import specifiers. */
function clientFiles(): { file: string; source: string; imports: string[] }[] {
  const out: { file: string; source: string; imports: string[] }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".ts")) {
        const source = fs.readFileSync(p, "utf8");
        const imports = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
        out.push({ file: path.relative(ROOT, p), source, imports });
      }
    }
  };
  walk(path.join(ROOT, "client"));
  return out;
}

/** What the client module may import: itself, and these packages, which run in browsers and in Node. */
const ALLOWED = ["viem", "viem/accounts", "@noble/curves/ed25519", "@noble/hashes/sha2", "@noble/hashes/sha3", "@noble/hashes/utils", "@scure/base", "zod"];

describe("client: the package entry confiance/client", () => {
  it("resolves by its name for Node at run time, to the same module as the source", async () => {
    expect(require.resolve("confiance/client")).to.equal(ENTRY);
    const byName = (await import("confiance/client")) as typeof relative;
    expect(byName.createRelayClient).to.equal(relative.createRelayClient);
    expect(Object.keys(byName).sort()).to.deep.equal(Object.keys(relative).sort());
  });

  it("resolves by its name for TypeScript, with bundler and Node 16+ module resolution", () => {
    const from = path.join(ROOT, "web/main.tsx");
    for (const moduleResolution of [ts.ModuleResolutionKind.Bundler, ts.ModuleResolutionKind.Node16, ts.ModuleResolutionKind.NodeNext]) {
      const module = moduleResolution === ts.ModuleResolutionKind.Bundler ? ts.ModuleKind.ESNext : ts.ModuleKind.Node16;
      const r = ts.resolveModuleName("confiance/client", from, { moduleResolution, module, resolveJsonModule: true }, ts.sys);
      expect(r.resolvedModule?.resolvedFileName, ts.ModuleResolutionKind[moduleResolution]).to.equal(ENTRY);
    }
  });

  it("imports nothing from the server and nothing Node-only, so a browser bundle can use it", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const files = clientFiles();
    expect(files.length).to.be.above(30);
    for (const { file, source, imports } of files) {
      for (const spec of imports) {
        if (spec.startsWith(".")) {
          const target = path.resolve(ROOT, path.dirname(file), spec);
          expect(path.relative(path.join(ROOT, "client"), target).startsWith(".."), `${file} imports ${spec}`).to.equal(false);
        } else {
          expect(ALLOWED, `${file} imports ${spec}`).to.include(spec);
        }
      }
      const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      expect(code, file).to.not.match(/\b(Buffer|process|require|__dirname|__filename|setImmediate)\b/);
    }
    // The packages it uses are run-time dependencies, pinned.
    for (const name of ["viem", "@noble/curves", "@noble/hashes", "@scure/base"]) expect(pkg.dependencies[name], name).to.match(/^\d+\.\d+\.\d+$/);
  });
});
