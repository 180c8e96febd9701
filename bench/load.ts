import autocannon from 'autocannon';
import { cpuMsOf, cpuPerItemUs } from './processes.js';

export interface LoadSpec {
  url: string;
  path: string;
  headers?: Record<string, string>;
  /** A fresh JSON body per request (unique emails); GET without it. */
  body?: () => string;
  connections: number;
  /** Run for this long, or until `amount` requests are answered. */
  durationS?: number;
  amount?: number;
  /** The answer that counts as success for throughput and latency. */
  expectStatus: number;
  /** Optional further check of a successful answer's body. */
  expectBody?: (body: string) => boolean;
}

export interface LoadResult {
  seconds: number;
  /** Answers with the expected status (and body). */
  ok: number;
  /** ok per second. */
  rps: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Latency of the successful answers, in ms, exact (not autocannon's 1 ms buckets). */
  p50: number;
  p95: number;
  p99: number;
  /** CPU the server process spent per successful answer, in µs; NaN without its pid or /proc. */
  cpuUsPerOk?: number;
}

/** Drives one load run with autocannon from this process and measures it. */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  const checkBody = spec.expectBody;
  let finish: (err: unknown, result: autocannon.Result) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result));
  });
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationS ?? 10 }),
    timeout: 30,
    requests: [
      {
        method: spec.body ? 'POST' : 'GET',
        path: spec.path,
        headers: { ...(spec.body ? { 'content-type': 'application/json' } : {}), ...spec.headers },
        ...(spec.body ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: spec.body!() }) } : {}),
        ...(checkBody
          ? {
              onResponse: (status: number, body: string) => {
                if (status === spec.expectStatus && !checkBody(body)) statuses.unexpected_body = (statuses.unexpected_body ?? 0) + 1;
              },
            }
          : {}),
      },
    ],
  }, (err: unknown, result: autocannon.Result) => finish(err, result));
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode === spec.expectStatus) {
      ok++;
      latencies.push(responseTime);
    }
  });
  const result = await done;
  // An answer with the right status but the wrong body is not a success.
  const wrong = statuses.unexpected_body ?? 0;
  ok -= wrong;
  latencies.sort((a, b) => a - b);
  const seconds = result.duration;
  return {
    seconds,
    ok,
    rps: ok / seconds,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

/** The nearest-rank percentile of sorted values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Measured {
  runs: LoadResult[];
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Median CPU of the server process per successful answer, µs; NaN when not measured. */
  cpuUs: number;
}

/**
 * Several runs after a warm-up; the figure is the median of each measure. With the server's
 * pid, each run also counts the CPU that process spent per answer: within one spell of the
 * machine it moves much less than the rates, which also follow what else the shared cores
 * are doing, so it compares the two servers' own code more steadily.
 */
export async function measure(spec: LoadSpec, runs: number, warmupS: number, serverPid?: number): Promise<Measured> {
  if (warmupS > 0) await load({ ...spec, durationS: warmupS, amount: undefined });
  const results: LoadResult[] = [];
  for (let i = 0; i < runs; i++) {
    const before = serverPid === undefined ? undefined : cpuMsOf(serverPid);
    const result = await load(spec);
    const after = serverPid === undefined ? undefined : cpuMsOf(serverPid);
    results.push({ ...result, cpuUsPerOk: cpuPerItemUs(before, after, result.ok) });
  }
  return {
    runs: results,
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p95: median(results.map((r) => r.p95)),
    p99: median(results.map((r) => r.p99)),
    cpuUs: median(results.map((r) => r.cpuUsPerOk ?? NaN).filter(Number.isFinite)),
  };
}

/** "server CPU per answer: leadgate 480 µs, baseline 170 µs (2.8×)", when both were measured. */
export function cpuNote(what: string, leadgateUs: number, baselineUs: number): string[] {
  if (!Number.isFinite(leadgateUs) || !Number.isFinite(baselineUs) || baselineUs <= 0) return [];
  return [`server process CPU per ${what}: leadgate ${Math.round(leadgateUs)} µs, baseline ${Math.round(baselineUs)} µs (${(leadgateUs / baselineUs).toFixed(1)}×)`];
}

/** POST /api/v1/leads with a fresh realistic body each time; the same request for leadgate and its baseline. */
export function intakeSpec(
  url: string,
  bodies: { json(): string },
  apiKey: string,
  options: Pick<LoadSpec, 'connections' | 'durationS' | 'amount' | 'expectStatus' | 'expectBody'>,
): LoadSpec {
  return { url, path: '/api/v1/leads', headers: { authorization: `Bearer ${apiKey}` }, body: () => bodies.json(), ...options };
}

/** Answers other than the expected status, if any: they mean a run did not measure only what it says. */
export function unexpectedAnswers(statuses: Record<string, number>[], expected: string): string[] {
  const other: Record<string, number> = {};
  for (const s of statuses) for (const [k, v] of Object.entries(s)) if (k !== expected) other[k] = (other[k] ?? 0) + v;
  const parts = Object.entries(other).map(([k, v]) => `${v}× ${k}`);
  return parts.length ? [`answers other than ${expected}: ${parts.join(', ')}`] : [];
}
