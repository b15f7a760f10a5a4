import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../infra/db/database.js';
import { directHit, globalSearch } from '../../read-models/global-search.js';
import { customerNames } from '../../read-models/names.js';
import { SearchPage } from '../pages/search-page.js';
import { sendPage } from '../render.js';
import { viewContext } from '../view-context.js';

const searchQuery = z.object({
  q: z
    .string({ error: 'Type a name, e-mail, order reference or key number.' })
    .trim()
    .min(1, 'Type a name, e-mail, order reference or key number.')
    .max(120, 'Search for at most 120 characters.'),
});

/** The header's search: one hit opens at once, several are listed by kind. */
export function searchWebRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.get('/search', async (req, res) => {
    const parsed = searchQuery.safeParse({ q: typeof req.query.q === 'string' ? req.query.q : undefined });
    if (!parsed.success) {
      const term = typeof req.query.q === 'string' ? req.query.q.slice(0, 120) : '';
      return sendPage(
        res,
        <SearchPage
          ctx={viewContext(req)}
          term={term}
          customers={new Map()}
          problem={parsed.error.issues[0]?.message}
        />,
        400,
      );
    }
    const term = parsed.data.q;
    const results = await globalSearch(deps.db, term);
    const direct = directHit(results, term);
    if (direct) return res.redirect(303, direct);
    const customers = await customerNames(deps.db, [
      ...results.orders.map((o) => o.customerId),
      ...results.licenses.map((l) => l.customerId),
    ]);
    sendPage(res, <SearchPage ctx={viewContext(req)} term={term} results={results} customers={customers} />);
  });
  return router;
}
