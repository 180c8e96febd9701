import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { isPrivateAddress, isPrivateHost } from '../security/targets.js';
import type { CrmAnswer } from './classify.js';

export interface OutboundRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface OutboundPolicy {
  allowPrivate: boolean;
  /** URLs under this prefix (the built-in sandbox CRM) may be private whatever the policy; read per call. */
  trustedPrefix?: () => string;
}

const MAX_RESPONSE_BYTES = 256 * 1024;
/** undici's timers run at a one-second resolution. */
const UNDICI_TIMER_SLACK_MS = 1000;

/** A DNS lookup that refuses to connect to private, loopback or link-local addresses. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 4);
    const list = addresses as dns.LookupAddress[];
    const blocked = list.find((a) => isPrivateAddress(a.address));
    if (blocked) {
      const e = Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EPRIVATE' });
      return callback(e, '', 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    callback(null, first.address, first.family);
  });
};

/**
 * The whole call's time limit, as the abort signal undici takes: an EventEmitter serves as
 * well as an AbortSignal there, at a fraction of the cost (AbortController and its listener
 * were a third of a CRM call's CPU in the delivery bench).
 */
class Deadline extends EventEmitter {
  aborted = false;

  expire(): void {
    this.aborted = true;
    this.emit('abort');
  }
}

/**
 * A response body as text, or undefined (and the body destroyed) once it passes `max` bytes.
 * Listeners rather than `for await`: the async iterator cost a CRM call ~5 µs more.
 */
function readCapped(body: Readable, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        body.destroy();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    body.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    body.once('error', reject);
  });
}

/**
 * Outbound HTTP for CRMs and postback receivers: keep-alive connection pools (undici; Node
 * 20's fetch was measured 4–5× slower), a hard timeout, no redirects followed, responses
 * capped in size, and private targets refused at connect time unless allowed.
 */
export class OutboundHttp {
  private readonly publicAgent: Agent;
  private readonly trustedAgent: Agent;

  constructor(private readonly policy: OutboundPolicy) {
    const common = { keepAliveTimeout: 30_000, connections: 64, pipelining: 1 };
    this.publicAgent = new Agent({ ...common, connect: { lookup: publicOnlyLookup } });
    this.trustedAgent = new Agent(common);
  }

  private dispatcherFor(url: URL): Dispatcher | 'refused' {
    if (this.policy.allowPrivate || (this.policy.trustedPrefix && url.href.startsWith(this.policy.trustedPrefix()))) return this.trustedAgent;
    // A literal IP never goes through DNS, so it is checked here.
    if (isPrivateHost(url.hostname)) return 'refused';
    return this.publicAgent;
  }

  async send(req: OutboundRequest): Promise<CrmAnswer & { durationMs: number }> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(req.url);
    const dispatcher = this.dispatcherFor(url);
    if (dispatcher === 'refused') return { kind: 'network', error: 'target is a private address', durationMs: 0 };
    const deadline = new Deadline();
    const timer = setTimeout(() => deadline.expire(), req.timeoutMs);
    try {
      const res = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        signal: deadline,
        // undici's own timers tick twice a second and can fire up to half a second early: the
        // deadline above ends the call on time, these only back it up.
        headersTimeout: req.timeoutMs + UNDICI_TIMER_SLACK_MS,
        bodyTimeout: req.timeoutMs + UNDICI_TIMER_SLACK_MS,
      });
      const body = await readCapped(res.body, MAX_RESPONSE_BYTES);
      if (body === undefined) return { kind: 'too_large', durationMs: elapsed() };
      const retryAfter = res.headers['retry-after'];
      return {
        kind: 'response',
        status: res.statusCode,
        body,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        durationMs: elapsed(),
      };
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string };
      if (deadline.aborted || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
        return { kind: 'timeout', durationMs: elapsed() };
      }
      return { kind: 'network', error: e.code ?? e.message ?? 'request failed', durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.publicAgent.close(), this.trustedAgent.close()]);
  }
}
