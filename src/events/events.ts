import type { z } from 'zod';
import { configurationEvents } from './types/configuration.js';
import { leadEvents } from './types/lead.js';
import { postbackEvents } from './types/postbacks.js';

/**
 * Every event leadgate records, by type, each with the schema its data must satisfy.
 * Past tense, defined once; a changed shape is a new type (or an upcaster), never an edit.
 */
export const eventSchemas = {
  ...configurationEvents,
  ...leadEvents,
  ...postbackEvents,
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;

/** An event about to be appended: the discriminated union of every type and its data. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

export interface EventMetadata {
  requestId?: string;
  /** Who caused it: an employee, an affiliate (by id, never its key), the system. */
  actor?: { kind: 'employee' | 'affiliate' | 'advertiser' | 'system'; id: string };
  sourceIp?: string;
  [key: string]: unknown;
}

/** An event as stored: its place in its stream and in the log. */
export type StoredEvent<E extends DomainEvent = DomainEvent> = E & {
  streamId: string;
  streamVersion: number;
  globalPosition: string;
  transactionId: string;
  metadata: EventMetadata;
  createdAt: Date;
};

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventSchemas, type);
}

export function event<T extends EventType>(type: T, data: EventData<T>): Extract<DomainEvent, { type: T }> {
  return { type, data } as Extract<DomainEvent, { type: T }>;
}
