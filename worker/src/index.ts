import { app } from "./app.ts";
import { runCron } from "./pipeline/cron.ts";

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    const queued = await runCron(env, controller.cron, new Date(controller.scheduledTime));
    console.log(`cron ${controller.cron}: queued ${queued.length ? queued.join(", ") : "nothing"}`);
  },
} satisfies ExportedHandler<Env>;
