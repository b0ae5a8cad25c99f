// npm run etl -- run --date D | run --from A --to B | run --pending | work   (see args.ts USAGE)
import { DEFAULT_RUN_RETRY_POLICY } from "@growit/contract";
import { parseCommand, USAGE, UsageError } from "./args.ts";
import { configFromEnv } from "./config.ts";
import { Etl } from "./etl.ts";
import { type DayOutcome, reporterFor } from "./reporter.ts";

const EXIT = { done: 0, failed: 1, usage: 2 } as const;

async function main(argv: string[]): Promise<number> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (command.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.done;
  }
  const reporter = reporterFor();
  let etl: Etl;
  try {
    etl = await Etl.open(configFromEnv(), { reporter, role: command.kind === "work" ? "worker" : "run" });
  } catch (error) {
    reporter.log("etl failed to start", { error: error instanceof Error ? error.message : String(error) });
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
    const outcomes: DayOutcome[] = command.kind === "run" ? await etl.runDays(command.days) : await etl.runPending();
    reporter.summary(outcomes);
    return outcomes.some((o) => o.status === "failed") ? EXIT.failed : EXIT.done;
  } finally {
    await etl.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
