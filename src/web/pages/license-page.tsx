import type { Customer } from '../../features/customers/customer-store.js';
import type { LicenseDetails } from '../../features/licenses/license-query-service.js';
import { DateOnly, Empty, Facts, StateBadge, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';
import { AuditTable } from './audit-page.js';

export function LicensePage({ ctx, license: l, configurationName, customer }: { ctx: ViewContext; license: LicenseDetails; configurationName?: string; customer?: Customer }) {
  return (
    <Layout ctx={ctx} title={`License ${l.keyNumber}`} active="licenses" back={<a href={`/licenses?configuration=${l.configurationId}`}>Licenses of {configurationName ?? `configuration ${l.configurationId}`}</a>}>
      <Facts
        items={[
          ['Key number', <code>{l.keyNumber}</code>],
          ['Full key number', l.fullKeyNumber ? <code>{l.fullKeyNumber}</code> : null],
          ['Status', <StateBadge state={l.status} />],
          ['Product', l.product],
          ['Features', l.features.join(', ') || null],
          ['Additional keys', l.additionalKeyNumbers.join(', ') || null],
          ['Source', l.source === 'upload' ? 'uploaded by staff' : 'issued online'],
          ['Expires', <DateOnly iso={l.expiresAt} />],
          ['Updates until', <DateOnly iso={l.updatesUntil} />],
          ['Installed', <Time iso={l.installedAt} />],
          ['Created', <Time iso={l.createdAt} />],
          ['Customer', customer ? `${customer.name} <${customer.email}>` : l.customerId ? `customer ${l.customerId}` : 'standalone'],
          ['Subscription', l.subscription ? <a href={`/subscriptions/${l.subscription.id}`}>#{l.subscription.id}</a> : null],
          ['Request', l.request ? <a href={`/license-requests/${l.request.id}`}>#{l.request.id} ({l.request.state.replace(/_/g, ' ')})</a> : null],
          ['KA configuration', <a href={`/ka-configurations/${l.configurationId}`}>{configurationName ?? `#${l.configurationId}`}</a>],
        ]}
      />
      <h2>Files</h2>
      {l.files.length === 0 ? (
        <Empty>No files.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Key</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">
                Size
              </th>
              <th scope="col">SHA-256</th>
              <th scope="col">Stored</th>
            </tr>
          </thead>
          <tbody>
            {l.files.map((f) => (
              <tr key={f.id}>
                <td>
                  <a href={`/licenses/${l.id}/files/${f.id}`} download>
                    {f.fileName}
                  </a>
                </td>
                <td>{f.keyNumber}</td>
                <td>{f.contentType}</td>
                <td class="num">{f.size.toLocaleString('en')} B</td>
                <td>
                  <code class="json">{f.sha256.slice(0, 16)}…</code>
                </td>
                <td>
                  <Time iso={f.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>History</h2>
      <AuditTable events={l.history} caption="History of this license and its request" />
    </Layout>
  );
}
