import type { DbOrTx } from '../infra/db/database.js';

/** A product present in a licenses tab, with how many licenses of the tab carry it. */
export interface TabProduct {
  product: string;
  licenses: number;
}

/**
 * The products of a KA configuration's licenses (its tab), most licenses first: the rows of the
 * migration form's product mapping. One grouped query, whatever the tab's size.
 */
export async function tabProducts(db: DbOrTx, configurationId: number): Promise<TabProduct[]> {
  const rows = await db('licenses')
    .where({ configuration_id: configurationId })
    .select('product')
    .count({ licenses: '*' })
    .groupBy('product')
    .orderBy([{ column: 'licenses', order: 'desc' }, { column: 'product' }])
    .limit(200);
  return (rows as Array<{ product: string; licenses: number | string }>).map((r) => ({
    product: String(r.product),
    licenses: Number(r.licenses),
  }));
}
