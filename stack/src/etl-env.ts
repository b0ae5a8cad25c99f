// The environment of the ETL queue worker that `npm start` runs. The ETL has no defaults for
// its services (etl/src/config.ts), so the stack names them: the same ones as the worker's.
import { REQUIRED_VARIABLES } from "../../etl/src/config.ts";
import { S3 } from "./local.ts";

/** What the worker reads from wrangler.jsonc `vars` when .dev.vars does not set it: the local S3 server. */
const WRANGLER_VARS = { S3_ENDPOINT: S3.endpoint, S3_REGION: S3.region, S3_BUCKET: S3.bucket };

/** The worker's variables the ETL reads too; BRONZE_SEAL_KEY lets it take the objects the worker sealed as checked. */
const SHARED_WITH_WORKER = [...REQUIRED_VARIABLES, "BRONZE_SEAL_KEY"] as const;

/** `env` with the services and seal key of the worker, whose .dev.vars are `workerVars` (see dev-vars.ts). */
export function etlEnv(
  workerVars: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const etl: NodeJS.ProcessEnv = { ...env, ...WRANGLER_VARS };
  for (const name of SHARED_WITH_WORKER) {
    const value = workerVars.get(name);
    if (value) etl[name] = value;
  }
  return etl;
}
