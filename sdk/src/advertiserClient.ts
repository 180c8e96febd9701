import { expectOk, send, type ClientOptions } from './http.js';
import type { ConversionInput, ConversionResult } from './types.js';

export interface AdvertiserClientOptions extends ClientOptions {
  /** The product's conversion secret, shown on its page in the console. */
  conversionSecret: string;
}

/** The advertiser's (CRM's) side of leadgate: report sign-ups, first deposits and deposits. */
export class AdvertiserClient {
  constructor(private readonly options: AdvertiserClientOptions) {}

  /**
   * POST /api/v1/conversions. Safe to retry with the same `transactionId`: a repeat answers
   * `duplicate: true` and fires no postback again. A wrong secret or unknown lead throws.
   */
  async postConversion(conversion: ConversionInput): Promise<ConversionResult> {
    const json = { ...conversion, occurredAt: conversion.occurredAt instanceof Date ? conversion.occurredAt.toISOString() : conversion.occurredAt };
    const answer = await send(this.options, 'POST', '/api/v1/conversions', { headers: { 'x-conversion-secret': this.options.conversionSecret }, json });
    const { conversionId, leadId, duplicate } = expectOk(answer, [200, 201]);
    return { conversionId, leadId, duplicate } as ConversionResult;
  }
}
