import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "e2e",
    environment: "node",
    include: ["*.test.ts"],
    // The stack uses the fixed local ports, like the stack's own start test: run after that group.
    sequence: { groupOrder: 1 },
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 200_000,
  },
});
