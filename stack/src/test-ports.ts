/**
 * A test's fixed port, moved by TEST_PORT_OFFSET (default 0) so that two checkouts can run the
 * worker and ETL suites side by side on one machine. The local stack's own ports move
 * by GROWIT_STACK_PORT_OFFSET instead (stack/src/local.ts).
 */
export const testPort = (port: number): number => port + Number(process.env.TEST_PORT_OFFSET ?? 0);
