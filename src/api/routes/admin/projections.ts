import Router from '@koa/router';
import { z } from 'zod';
import { projectionLag } from '../../../metrics/projectionLag.js';
import { asyncProjections, findProjections } from '../../../projections/registry.js';
import { replayProjections, type ReplayProgress } from '../../../projections/replay.js';
import { requireRole } from '../../auth/authenticate.js';
import type { AppDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { validate } from '../../validate.js';

export const ReplayBody = z.object({ projections: z.array(z.string().min(1)).min(1).optional() });

/**
 * Async projections' positions and lag, and replay from the console — the way to rebuild
 * while an embedded server runs (the CLI would need the database to itself). The rebuild
 * runs in this process in the background; GET shows its progress.
 */
export function projectionRoutes(deps: AppDeps): Router {
  const router = new Router();
  const running = new Map<string, ReplayProgress>();
  const names = asyncProjections.map((p) => p.name);

  router.get('/projections', async (ctx) => {
    const lag = await projectionLag(deps.storage.db, names);
    const targets = await deps.storage.db.selectFrom('projection_checkpoints').select(['name', 'replay_started_at', 'replay_target_position']).execute();
    ctx.body = {
      items: lag.map((l) => {
        const target = targets.find((t) => t.name === l.name);
        const progress = running.get(l.name);
        return {
          ...l,
          replay: l.replaying
            ? { startedAt: target?.replay_started_at ?? null, targetPosition: target?.replay_target_position ?? null, eventsDone: progress?.done ?? null, eventsTotal: progress?.total ?? null }
            : null,
        };
      }),
    };
  });

  router.post('/projections/replay', requireRole('admin'), async (ctx) => {
    const body = validate(ReplayBody, ctx.request.body);
    let chosen;
    try {
      chosen = body.projections ? findProjections(body.projections) : [...asyncProjections];
    } catch (err) {
      throw new AppError(400, 'validation.projections', `projections: ${(err as Error).message}`);
    }
    const busy = chosen.filter((p) => running.has(p.name));
    if (busy.length > 0) throw new AppError(409, 'conflict', `Already replaying: ${busy.map((p) => p.name).join(', ')}`);
    for (const p of chosen) running.set(p.name, { projection: p.name, done: 0, total: 0 });
    // Marked before answering, so a GET right after the 202 already shows the rebuild.
    await deps.storage.db
      .updateTable('projection_checkpoints')
      .set({ replay_started_at: new Date() })
      .where('name', 'in', chosen.map((p) => p.name))
      .execute();
    const logger = ctx.state.logger ?? deps.logger;
    void replayProjections(deps.storage.db, chosen, { onProgress: (p) => running.set(p.projection, { ...p }) })
      .then((results) => logger.info({ results }, 'replay finished'))
      .catch((err: Error) => logger.error({ err }, 'replay failed'))
      .finally(() => {
        for (const p of chosen) running.delete(p.name);
      });
    ctx.status = 202;
    ctx.body = { started: chosen.map((p) => p.name) };
  });

  return router;
}
