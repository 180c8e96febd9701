import type { InlineProjection } from '../../events/eventStore.js';
import { accessProjection } from './access.js';
import { affiliatesProjection } from './affiliates.js';
import { employeesProjection } from './employees.js';
import { leadsProjection } from './leads.js';
import { postbackDeliveriesProjection } from './postbackDeliveries.js';
import { productsProjection } from './products.js';

/** Every inline projection: applied in the append's transaction. */
export const inlineProjections: InlineProjection[] = [employeesProjection, productsProjection, affiliatesProjection, accessProjection, leadsProjection, postbackDeliveriesProjection];
