// Vite's `?raw` imports: a file's text, for tests that compare the worker with files it serves.
declare module "*?raw" {
  const text: string;
  export default text;
}
