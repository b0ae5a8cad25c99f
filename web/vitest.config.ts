import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineProject } from "vitest/config";

// No SvelteKit plugin, so tests use relative imports, not $lib; the Svelte plugin compiles the
// runes of `.svelte.ts` modules.
export default defineProject({
  plugins: [svelte()],
  test: { name: "web", environment: "node", include: ["src/**/*.test.ts"] },
});
