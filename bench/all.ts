// npm run bench: every benchmark, one after another (they share the machine and the local
// ports), then bench/results/latest.json (all figures) and latest.md (a summary for humans).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../stack/src/local.ts";
import { machine, RESULTS_DIR, writeResult } from "./results.ts";

const BENCHES = [
  { name: "ingest", args: ["run", "bench:ingest", "--", "--vs-anchor"] },
  { name: "etl", args: ["run", "bench:etl"] },
  { name: "dashboard", args: ["run", "bench:dashboard"] },
  { name: "export", args: ["run", "bench:export"] },
] as const;

type Figures = Record<string, unknown> & { at?: string };

const failed: string[] = [];
const results: Record<string, Figures> = {};
for (const bench of BENCHES) {
  console.log(`\n== bench:${bench.name}`);
  const started = Date.now();
  const run = spawnSync("npm", bench.args, { cwd: REPO_ROOT, stdio: "inherit" });
  const path = join(RESULTS_DIR, `${bench.name}.json`);
  const fresh = existsSync(path) && Date.parse((JSON.parse(readFileSync(path, "utf8")) as Figures).at ?? "") >= started;
  if (run.status !== 0 || !fresh) {
    failed.push(bench.name);
    continue;
  }
  results[bench.name] = JSON.parse(readFileSync(path, "utf8")) as Figures;
}

const lines = [`# Benchmarks`, "", `Measured ${new Date().toISOString()} on ${JSON.stringify(machine())}.`, ""];
for (const [name, figures] of Object.entries(results)) {
  const { bench: _, at: __, machine: ___, runs: ____, ...rest } = figures;
  lines.push(`## ${name}`, "", "```json", JSON.stringify(rest, null, 2), "```", "");
}
if (failed.length) lines.push(`Failed or produced no figures: ${failed.join(", ")}.`, "");
writeFileSync(join(RESULTS_DIR, "latest.md"), lines.join("\n"));
const path = writeResult("latest", { results, failed });
console.log(`\nwritten: ${path} and ${join(RESULTS_DIR, "latest.md")}`);
process.exitCode = failed.length ? 1 : 0;
