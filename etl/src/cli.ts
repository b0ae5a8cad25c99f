// npm run etl -- run --date D | run --from A --to B | run --pending | work | --help | --version   (see args.ts)
import { DEFAULT_RUN_RETRY_POLICY } from "@growit/contract";
import etlPackage from "../package.json" with { type: "json" };
import { parseCommand, UsageError } from "./args.ts";
import { configFromEnv } from "./config.ts";
import { Etl } from "./etl.ts";
import { reporterFor } from "./reporter.ts";

const EXIT = { done: 0, failed: 1, usage: 2 } as const;

async function main(argv: string[]): Promise<number> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${error.usage}\n`);
    return EXIT.usage;
  }
  if (command.kind === "help") {
    process.stdout.write(`${command.usage}\n`);
    return EXIT.done;
  }
  if (command.kind === "version") {
    process.stdout.write(`${etlPackage.version}\n`);
    return EXIT.done;
  }
  const reporter = reporterFor(command.json);
  let etl: Etl;
  try {
    etl = await Etl.open(configFromEnv(), { reporter, role: command.kind === "work" ? "worker" : "run" });
  } catch (error) {
    reporter.log("error", "etl failed to start", { error: error instanceof Error ? error.message : String(error) });
    return EXIT.failed;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    if (command.kind === "work") {
      await etl.work({
        pollMs: command.pollMs,
        retry: { ...DEFAULT_RUN_RETRY_POLICY, maxAttempts: command.maxAttempts },
        signal: stop.signal,
      });
      return EXIT.done;
    }
    if (command.kind === "run") {
      const outcomes = await etl.runDays(command.days);
      reporter.summary(outcomes);
      return outcomes.some((o) => o.status === "failed") ? EXIT.failed : EXIT.done;
    }
    // --pending: the due runs, then the erasure requests, which want silver up to date first.
    const outcomes = await etl.runPending();
    const erasures = await etl.eraseRequested({ backoff: false });
    reporter.summary(outcomes);
    return [...outcomes, ...erasures].some((o) => o.status === "failed") ? EXIT.failed : EXIT.done;
  } finally {
    await etl.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
