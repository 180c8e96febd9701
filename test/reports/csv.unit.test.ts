import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvStream, primed } from '../../src/reports/csv.js';

type Row = { id: string; note: string | null; amount: number | null; test: boolean };

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

function csv(rows: Row[][]): Promise<string> {
  return text(csvStream<Row>(['id', 'note', 'amount', 'test'], rows));
}

describe('CSV export', () => {
  it('writes the header first and CRLF line ends', async () => {
    expect(await csv([[{ id: 'a', note: 'plain', amount: 250.5, test: false }]])).toBe('id,note,amount,test\r\na,plain,250.5,false\r\n');
  });

  it('writes only the header when there are no rows', async () => {
    expect(await csv([])).toBe('id,note,amount,test\r\n');
  });

  it('quotes commas, doubles quotes, and quotes CRLF, lone LF and lone CR', async () => {
    const out = await csv([
      [
        { id: 'a', note: 'Silva, Ana', amount: null, test: true },
        { id: 'b', note: 'say "hi"', amount: null, test: false },
        { id: 'c', note: 'two\r\nlines', amount: null, test: false },
        { id: 'd', note: 'lf\nonly', amount: null, test: false },
        { id: 'e', note: 'cr\ronly', amount: null, test: false },
      ],
    ]);
    expect(out.split('\r\n').slice(1)).toEqual(['a,"Silva, Ana",,true', 'b,"say ""hi""",,false', 'c,"two', 'lines",,false', 'd,"lf\nonly",,false', 'e,"cr\ronly",,false', '']);
  });

  it('neutralises cells a spreadsheet would run as formulas', async () => {
    const notes = ['=cmd()', '+1', '-1', '@x', '\tx', '\rx', '=HYPERLINK("http://evil")', 'safe=1'];
    const out = await csv([notes.map((note, i) => ({ id: String(i), note, amount: null, test: false }))]);
    const cells = out.split('\r\n').slice(1, 6).map((line) => line.split(',')[1]);
    expect(cells).toEqual(["'=cmd()", "'+1", "'-1", "'@x", "'\tx"]);
    expect(out).toContain(`5,"'\rx",,false\r\n`);
    expect(out).toContain(`6,"'=HYPERLINK(""http://evil"")",,false\r\n`);
    expect(out).toContain('7,safe=1,,false\r\n');
  });

  it('pulls pages only as the reader asks for them', async () => {
    let served = 0;
    async function* pages() {
      for (let p = 0; p < 1000; p++) {
        served++;
        yield Array.from({ length: 1000 }, (_, i) => ({ id: `${p}-${i}`, note: 'x'.repeat(50), amount: i, test: false }));
      }
    }
    const stream = csvStream<Row>(['id', 'note', 'amount', 'test'], pages());
    // Paused mode: read what is buffered, then read no more, like a slow client.
    const first: unknown = await new Promise((resolve) => stream.once('readable', () => resolve(stream.read())));
    expect(String(first).startsWith('id,note,amount,test\r\n')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    // A million rows would be ~60 MB: only a few pages are read ahead of a paused reader.
    expect(served).toBeLessThan(10);
    stream.destroy();
  });

  it('destroys the stream when a page fails mid-export, and reports the error', async () => {
    async function* pages() {
      yield [{ id: 'a', note: null, amount: null, test: false }];
      throw new Error('connection lost');
    }
    const errors: Error[] = [];
    const stream = csvStream<Row>(['id', 'note', 'amount', 'test'], pages(), (err) => errors.push(err));
    await expect(text(stream)).rejects.toThrow('connection lost');
    expect(errors.map((e) => e.message)).toEqual(['connection lost']);
  });

  it('runs the first page before streaming, so a failing query can still answer with an error', async () => {
    const failing: AsyncIterable<number> = { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('database down')) }) };
    await expect(primed(failing)).rejects.toThrow('database down');
    const seen: number[] = [];
    for await (const n of await primed(Readable.from([1, 2, 3]))) seen.push(n as number);
    expect(seen).toEqual([1, 2, 3]);
  });
});
