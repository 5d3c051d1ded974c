// `deno task build`: the library as an npm-style ESM package in dist/, for Node 20+ from a
// checkout (until the JSR package, whose npm compatibility layer does the same, is published).
//
//   deno run -A scripts/build_node.ts            # into dist/ (gitignored)
//   deno run -A scripts/build_node.ts OUT_DIR    # anywhere else
//
// The one entry point is mod.ts (deno.json's `exports`); nothing here knows how src/ is laid
// out. Output:
//
// - JavaScript: `deno bundle --code-splitting` (esbuild): mod.js plus chunks. The runtime
//   transports stay separate chunks behind mod.ts's dynamic imports, and `node:*` modules stay
//   external dynamic imports, so importing the package still loads nothing runtime-specific
//   (checked below: no output file imports `node:*` statically).
// - Declarations: TypeScript's own `tsc` from npm (pinned, a build-time tool only, run with
//   npx): `--declaration --emitDeclarationOnly --noCheck`, one .d.ts per source module, their
//   relative `.ts` specifiers rewritten to `.js`. `--noCheck` because the sources are checked by
//   `deno check` (with Deno's types, which tsc does not have); the public API carries explicit
//   types (`deno publish` refuses slow types), so nothing is inferred across modules. The Node
//   smoke (tests/runtimes/node_smoke.ts) type-checks a consumer against these files.
// - package.json (`"type": "module"`, name, version, description, license, exports, types),
//   README.md and LICENSE.
//
// Needs `deno` and `npx` (Node's npm) on PATH, and the npm registry the first time.

/** TypeScript for the declarations only (pinned; a build-time tool, never a dependency). */
export const TYPESCRIPT = "typescript@5.9.3";
/** The library's only entry point, relative to the repository root. */
const ENTRY = "./mod.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const text = new TextDecoder();

async function run(cmd: string, args: string[]): Promise<void> {
  console.error(`build: ${cmd === Deno.execPath() ? "deno" : cmd} ${args.join(" ")}`);
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed (exit ${code}):\n${text.decode(stderr)}${
        text.decode(stdout)
      }`,
    );
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}

// `from "./x.ts"`, `import("./x.ts")`, `import "./x.ts"` with a relative specifier.
const RELATIVE_TS = /((?:\bfrom|\bimport)\s*\(?\s*)(["'])(\.{1,2}\/[^"'\n]*?)\.ts\2/g;
// A static import or re-export of a node: module at the start of a line (the top level of an
// ES module bundle); `import("node:net")` inside a function is what we want instead.
const STATIC_NODE_IMPORT =
  /^\s*(?:import|export)\b[^;(]*?\bfrom\s*["']node:|^\s*import\s*["']node:/m;

/** Builds the package into `outDir` (emptied first). */
export async function buildNode(outDir: string = `${root}/dist`): Promise<void> {
  const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  if (config.exports !== ENTRY) {
    throw new Error(`deno.json "exports" is ${JSON.stringify(config.exports)}, not "${ENTRY}"`);
  }
  await Deno.remove(outDir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(outDir, { recursive: true });

  await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--format=esm",
    "--code-splitting",
    `--outdir=${outDir}`,
    ENTRY,
  ]);
  await run("npx", [
    "-y",
    "-p",
    TYPESCRIPT,
    "tsc",
    ENTRY,
    "--declaration",
    "--emitDeclarationOnly",
    "--noCheck",
    "--strict",
    "--target",
    "esnext",
    "--module",
    "nodenext",
    "--allowImportingTsExtensions",
    "--outDir",
    outDir,
  ]);

  let entryJs = false;
  let entryDts = false;
  for await (const path of walk(outDir)) {
    if (path.endsWith(".d.ts")) {
      const source = await Deno.readTextFile(path);
      await Deno.writeTextFile(path, source.replace(RELATIVE_TS, "$1$2$3.js$2"));
      entryDts ||= path === `${outDir}/mod.d.ts`;
    } else if (path.endsWith(".js")) {
      const match = STATIC_NODE_IMPORT.exec(await Deno.readTextFile(path));
      if (match) {
        throw new Error(`${path} imports a node: module statically (${match[0].trim()})`);
      }
      entryJs ||= path === `${outDir}/mod.js`;
    }
  }
  if (!entryJs || !entryDts) throw new Error(`no mod.js or mod.d.ts in ${outDir}`);

  const pkg = {
    name: config.name,
    version: config.version,
    description: config.description,
    license: config.license,
    type: "module",
    exports: { ".": { types: "./mod.d.ts", default: "./mod.js" } },
    main: "./mod.js",
    types: "./mod.d.ts",
    engines: { node: ">=20" },
  };
  await Deno.writeTextFile(`${outDir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  for (const file of ["README.md", "LICENSE"]) {
    await Deno.copyFile(`${root}/${file}`, `${outDir}/${file}`);
  }
}

if (import.meta.main) {
  const outDir = Deno.args[0] ?? `${root}/dist`;
  try {
    await buildNode(outDir.startsWith("/") ? outDir : `${Deno.cwd()}/${outDir}`);
    console.error(`build: ${outDir} ready (node: import "${outDir}/mod.js")`);
  } catch (error) {
    console.error(`build: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
