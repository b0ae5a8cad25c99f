/** Text gathered into one chunk of the body: few enough chunks to be cheap, small enough to keep memory flat. */
const CHUNK_CHARS = 64 * 1024;

const encoder = new TextEncoder();

/**
 * A body of JSON lines, one per record of `records`, made as the reader pulls (no more than one
 * chunk ahead: a slow download holds the export back instead of filling memory). When `records`
 * fails, the lines so far go out with an error record (`describe` says what the downloader is
 * told) and then the body errors, so that the download is visibly incomplete, never cut short
 * looking whole. A reader that hangs up stops `records`.
 */
export function ndjsonStream(
  records: AsyncGenerator<unknown>,
  describe: (error: unknown) => string,
): ReadableStream<Uint8Array> {
  let failure: { error: unknown } | null = null;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // The error record was handed over in the last pull: erroring in the same pull could drop it.
        if (failure) return controller.error(failure.error);
        let text = "";
        try {
          while (text.length < CHUNK_CHARS) {
            const next = await records.next();
            if (next.done) {
              if (text) controller.enqueue(encoder.encode(text));
              return controller.close();
            }
            text += `${JSON.stringify(next.value)}\n`;
          }
        } catch (error) {
          failure = { error };
          text += `${JSON.stringify({ record: "error", error: describe(error) })}\n`;
        }
        controller.enqueue(encoder.encode(text));
      },
      async cancel() {
        await records.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
