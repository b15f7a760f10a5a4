import type { SearchResults } from '../../read-models/global-search.js';
import { searchLimit } from '../../read-models/global-search.js';
import { Empty, StateBadge, Time } from '../components/display.js';
import { CustomerLink } from '../components/entity-links.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

function More({ count }: { count: number }) {
  return count >= searchLimit ? (
    <p class="muted">Showing the newest {searchLimit}; type more of the name or number to narrow it.</p>
  ) : null;
}

/** Results of the header's search, by kind; shown when no single hit could be opened directly. */
export function SearchPage({
  ctx,
  term,
  results,
  customers,
  problem,
}: {
  ctx: ViewContext;
  term: string;
  results?: SearchResults;
  /** Names of the customers the orders and licenses belong to. */
  customers: Map<number, string>;
  problem?: string;
}) {
  const total = results ? results.customers.length + results.orders.length + results.licenses.length : 0;
  return (
    <Layout ctx={{ ...ctx, searchTerm: term }} title={term ? `Search: ${term}` : 'Search'}>
      {problem && <p class="field-error">{problem}</p>}
      {results && total === 0 && <Empty>Nothing matches “{term}”.</Empty>}
      {results && results.customers.length > 0 && (
        <section aria-labelledby="found-customers">
          <h2 id="found-customers">Customers</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">E-mail</th>
              </tr>
            </thead>
            <tbody>
              {results.customers.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/customers/${c.id}`}>{c.name}</a>
                  </td>
                  <td>{c.email}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <More count={results.customers.length} />
        </section>
      )}
      {results && results.orders.length > 0 && (
        <section aria-labelledby="found-orders">
          <h2 id="found-orders">Orders</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Customer</th>
                <th scope="col">State</th>
                <th scope="col">Placed</th>
              </tr>
            </thead>
            <tbody>
              {results.orders.map((o) => (
                <tr key={o.id}>
                  <td>
                    <a href={`/orders/${o.id}`}>{o.reference}</a>
                  </td>
                  <td>
                    <CustomerLink id={o.customerId} names={customers} />
                  </td>
                  <td>
                    <StateBadge state={o.state} />
                  </td>
                  <td>
                    <Time iso={o.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <More count={results.orders.length} />
        </section>
      )}
      {results && results.licenses.length > 0 && (
        <section aria-labelledby="found-licenses">
          <h2 id="found-licenses">Keys</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Key number</th>
                <th scope="col">Product</th>
                <th scope="col">Customer</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {results.licenses.map((l) => (
                <tr key={l.id}>
                  <td>
                    <a href={`/licenses/${l.id}`}>
                      <code>{l.keyNumber}</code>
                    </a>
                  </td>
                  <td>{l.product}</td>
                  <td>
                    <CustomerLink id={l.customerId} names={customers} />
                  </td>
                  <td>
                    <StateBadge state={l.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <More count={results.licenses.length} />
        </section>
      )}
    </Layout>
  );
}
