import { app } from "./app.ts";
import { logInfo } from "./log.ts";
import { runCron } from "./pipeline/cron.ts";

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    const queued = await runCron(env, controller.cron, new Date(controller.scheduledTime));
    logInfo("cron ran", { cron: controller.cron, queued });
  },
} satisfies ExportedHandler<Env>;
