import { z } from 'zod';

/** `:id` route parameters: positive integers, so a bad id is a 400 naming `id`, not a 404. */
export const idParams = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });
