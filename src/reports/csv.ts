import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// csv-stringify rather than a hand-written escaper: RFC 4180 quoting of every corner (quotes,
// delimiters, lone CR or LF) and the OWASP formula-injection guard are its tested job.
import { stringify } from 'csv-stringify';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

type Cell = string | number | boolean | null | undefined;

/**
 * Streams records as CSV: the header row first, CRLF line ends, quoting where a cell needs it,
 * and any cell a spreadsheet would run as a formula (= + - @, tab, CR) prefixed with `'`.
 * Pages are pulled one at a time as the client reads, so the file is never whole in memory.
 * A failure mid-stream destroys the stream (the client sees a cut-off download, never a
 * complete-looking file); `onError` hears of it.
 */
export function csvStream<T extends Record<string, Cell>>(
  columns: readonly (keyof T & string)[],
  pages: AsyncIterable<readonly T[]> | Iterable<readonly T[]>,
  onError: (err: Error) => void = () => undefined,
): Readable {
  const records = Readable.from(
    (async function* () {
      for await (const page of pages) yield* page;
    })(),
  );
  const csv = stringify({
    header: true,
    columns: [...columns],
    record_delimiter: 'windows',
    // Set explicitly: with a record_delimiter given, csv-stringify would otherwise quote only
    // cells holding the full CRLF, leaving a lone LF or CR unquoted.
    quote_record_delimiter: true,
    escape_formulas: true,
    cast: { boolean: (value) => (value ? 'true' : 'false') },
  });
  pipeline(records, csv).catch(onError);
  return csv;
}

/**
 * Runs the first step of a page source before anything is sent, so a failing query still
 * answers with a proper error status; the rest streams.
 */
export async function primed<T>(pages: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = pages[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
}
