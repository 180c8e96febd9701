import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { EventData, StoredEvent } from '../../src/events/events.js';
import { postbackBody, postbackValues, renderPostbackUrl } from '../../src/workers/postbacks/macros.js';
import { postbackState } from '../../src/workers/postbacks/postbackState.js';
import { POSTBACK_MAX_ATTEMPTS, postbackRetryDelayMs } from '../../src/workers/postbacks/retrySchedule.js';
import { webhookHeaders } from '../../src/workers/postbacks/signature.js';

const received: EventData<'LeadReceived'> = {
  leadId: 'ld_1',
  affiliateId: 'a_1',
  campaignId: 'c_1',
  productId: 'p_1',
  integrationId: 'i_1',
  test: false,
  lead: { email: 'ana@example.com', firstName: 'Ana', lastName: 'Silva', country: 'PT', clickId: 'click 1&2/é', sub1: 'spring', sub10: 'ten' },
};
const receivedAt = new Date('2026-11-23T10:00:00.000Z');
const ftd: EventData<'LeadConverted'> = {
  leadId: 'ld_1',
  conversionId: 'cv_1',
  productId: 'p_1',
  event: 'ftd',
  amount: '99.5',
  currency: 'EUR',
  transactionId: 'tx#1',
  occurredAt: '2026-11-24T08:30:00+01:00',
};

describe('postback URL macros', () => {
  it('fills every macro of a lead, URL-encoded', () => {
    const values = postbackValues(received, receivedAt);
    const url = renderPostbackUrl(
      'https://t.example/pb?l={lead_id}&c={click_id}&ac={affclickid}&cmp={campaign_id}&a={affiliate_id}&p={product_id}&e={event}&co={country}&s1={sub1}&s10={sub10}&ts={timestamp}',
      values,
    );
    expect(url).toBe(
      'https://t.example/pb?l=ld_1&c=click%201%262%2F%C3%A9&ac=click%201%262%2F%C3%A9&cmp=c_1&a=a_1&p=p_1&e=lead&co=PT&s1=spring&s10=ten&ts=2026-11-23T10%3A00%3A00.000Z',
    );
  });

  it('fills a conversion’s amount as the plain decimal received, its currency, transaction and time', () => {
    const url = renderPostbackUrl('https://t.example/ftd?e={event}&amt={amount}&cur={currency}&tx={transaction_id}&ts={timestamp}', postbackValues(received, receivedAt, ftd));
    expect(url).toBe('https://t.example/ftd?e=ftd&amt=99.5&cur=EUR&tx=tx%231&ts=2026-11-24T07%3A30%3A00.000Z');
  });

  it('renders a macro with no value as empty and keeps an unknown macro as written', () => {
    const url = renderPostbackUrl('https://t.example/pb?amt={amount}&s2={sub2}&x={no_such_macro}&y={CLICK_ID}', postbackValues(received, receivedAt));
    expect(url).toBe('https://t.example/pb?amt=&s2=&x={no_such_macro}&y={CLICK_ID}');
  });

  it('replaces macros anywhere in the URL, the path included', () => {
    expect(renderPostbackUrl('https://t.example/{affiliate_id}/{event}', postbackValues(received, receivedAt, ftd))).toBe('https://t.example/a_1/ftd');
  });
});

describe('the POST postback body', () => {
  it('is lead.<event> with the event time and the values under their API names', () => {
    const body = JSON.parse(postbackBody(postbackValues(received, receivedAt, ftd), true));
    expect(body).toEqual({
      type: 'lead.ftd',
      timestamp: '2026-11-24T07:30:00.000Z',
      data: {
        leadId: 'ld_1',
        event: 'ftd',
        affiliateId: 'a_1',
        campaignId: 'c_1',
        productId: 'p_1',
        clickId: 'click 1&2/é',
        country: 'PT',
        sub1: 'spring',
        sub10: 'ten',
        amount: '99.5',
        currency: 'EUR',
        transactionId: 'tx#1',
        test: true,
      },
    });
  });

  it('is signed so that the Standard Webhooks reference library verifies it', () => {
    const secret = `whsec_${Buffer.from('a signing key of thirty-two bytes').toString('base64')}`;
    const body = postbackBody(postbackValues(received, receivedAt), false);
    const headers = webhookHeaders(secret, 'pd_1', new Date(), body);
    expect(headers['webhook-id']).toBe('pd_1');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('ld_1', 'ld_2'), headers)).toThrow();
  });
});

describe('the postback retry schedule', () => {
  it('follows Svix: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up after eight attempts', () => {
    const exact = () => 0.5;
    const delays = Array.from({ length: POSTBACK_MAX_ATTEMPTS }, (_, i) => postbackRetryDelayMs(i + 1, 1, exact));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, undefined]);
  });

  it('jitters by at most a fifth and scales with POSTBACK_RETRY_SCALE', () => {
    expect(postbackRetryDelayMs(2, 1, () => 0)).toBe(240_000);
    expect(postbackRetryDelayMs(2, 1, () => 0.999999)).toBe(360_000);
    expect(postbackRetryDelayMs(2, 0.001, () => 0.5)).toBe(300);
  });
});

describe('a delivery’s state', () => {
  let version = 0;
  const stored = (type: string, data: Record<string, unknown>) =>
    ({ type, data, streamId: 'postback-pd_1', streamVersion: ++version, globalPosition: String(version), transactionId: '1', metadata: {}, createdAt: new Date() }) as StoredEvent;
  const attempted = (series: number, attempt: number) => stored('PostbackAttempted', { deliveryId: 'pd_1', series, attempt, method: 'GET', url: 'u', durationMs: 1 });

  it('counts attempts per series and ends the series when delivered', () => {
    expect(postbackState([attempted(0, 1), attempted(0, 2), stored('PostbackDelivered', { deliveryId: 'pd_1', series: 0, attempt: 2 })])).toEqual({
      series: 0,
      attempts: 2,
      seriesAttempts: 2,
      final: true,
    });
  });

  it('starts a new series on a resend, numbering attempts on, and ignores a late outcome of the old one', () => {
    const events = [
      attempted(0, 1),
      stored('PostbackFailed', { deliveryId: 'pd_1', series: 0, attempts: 1, error: 'gone' }),
      stored('PostbackResendRequested', { deliveryId: 'pd_1', series: 1 }),
      stored('PostbackFailed', { deliveryId: 'pd_1', series: 0, attempts: 1, error: 'late' }),
    ];
    expect(postbackState(events)).toEqual({ series: 1, attempts: 1, seriesAttempts: 0, final: false });
    expect(postbackState([...events, attempted(1, 2)])).toMatchObject({ attempts: 2, seriesAttempts: 1, final: false });
  });
});
