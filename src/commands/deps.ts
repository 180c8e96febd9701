import type { Config } from '../config.js';
import type { Storage } from '../db/storage.js';
import type { EventStore } from '../events/eventStore.js';
import type { EventMetadata } from '../events/events.js';
import type { SecretVault } from '../security/secretVault.js';

/** What a command needs: the log, the read models, the vault. Routes and the demo setup share commands. */
export interface CommandDeps {
  config: Config;
  storage: Storage;
  store: EventStore;
  vault: SecretVault;
}

export type Meta = EventMetadata;
