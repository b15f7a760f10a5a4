import { Router } from 'express';
import type { Db } from '../../infra/db/database.js';
import { homeSummary } from '../../read-models/home-summary.js';
import { HomePage } from '../pages/home-page.js';
import { sendPage } from '../render.js';
import { viewContext } from '../view-context.js';

/** The home page at `/`. */
export function homeWebRoutes(deps: { db: Db; clock?: () => number }): Router {
  const router = Router();
  const clock = deps.clock ?? Date.now;
  router.get('/', async (req, res) => {
    sendPage(res, <HomePage ctx={viewContext(req)} summary={await homeSummary(deps.db, clock())} />);
  });
  return router;
}
