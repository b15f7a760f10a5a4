import { Empty, StateBadge, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import type { KaConfigurationView } from '../../features/ka-configurations/ka-configuration-service.js';
import { canConfigure, type ViewContext } from '../view-context.js';

export function KaConfigurationsPage({
  ctx,
  configurations,
}: {
  ctx: ViewContext;
  configurations: KaConfigurationView[];
}) {
  return (
    <Layout ctx={ctx} title="KA configurations" active="configurations">
      <p class="lead">
        Each configuration is one login at a key administrator (KA), through one plugin. Licenses are grouped by the
        configuration that issued them.
      </p>
      {canConfigure(ctx) && (
        <p class="actions">
          <a class="button primary" href="/ka-configurations/new">
            New configuration
          </a>
        </p>
      )}
      {configurations.length === 0 ? (
        <Empty>No KA configuration yet.</Empty>
      ) : (
        <table>
          <caption class="visually-hidden">KA configurations</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Plugin</th>
              <th scope="col">Status</th>
              <th scope="col">Enabled</th>
              <th scope="col">Products</th>
              <th scope="col">Products fetched</th>
            </tr>
          </thead>
          <tbody>
            {configurations.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`/ka-configurations/${c.id}`}>{c.name}</a>
                </td>
                <td>{c.plugin}</td>
                <td>
                  <StateBadge state={c.status} />
                </td>
                <td>{c.enabled ? 'yes' : <StateBadge state="disabled" />}</td>
                <td class="num">{c.products.length}</td>
                <td>
                  <Time iso={c.productsFetchedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
