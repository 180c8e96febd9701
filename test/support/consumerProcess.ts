// A projector in its own OS process, for the two-consumer test: node --import tsx consumerProcess.ts <url> <name> <ms>
import { openPostgres } from '../../src/db/storage.js';
import { Notifier } from '../../src/events/notifier.js';
import { Projector } from '../../src/projections/projector.js';
import { countingProjection } from './countingProjection.js';

const [url, name, runMs] = process.argv.slice(2);
const storage = await openPostgres(url!);
const notifier = new Notifier(() => storage.openListenConnection());
const projector = new Projector({ db: storage.db, projections: [countingProjection(name!)], notifier, pollMs: 50, batchSize: 25 });
await projector.start();
process.send?.('ready');
await new Promise((r) => setTimeout(r, Number(runMs)));
await projector.stop();
await notifier.close();
await storage.close();
