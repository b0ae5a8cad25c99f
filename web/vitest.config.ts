import { defineProject } from "vitest/config";

// Plain TypeScript modules only: no SvelteKit plugin, so tests use relative imports, not $lib.
export default defineProject({ test: { name: "web", environment: "node", include: ["src/**/*.test.ts"] } });
