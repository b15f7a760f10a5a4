import type { KaConfigurationView } from '../../features/ka-configurations/ka-configuration-service.js';
import type { SettingDefinition } from '../../plugin-sdk/settings.js';
import { Empty, Facts, ErrorText, Notice, StateBadge, Time } from '../components/display.js';
import { ActionButton } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import { canConfigure, canOperate, type ViewContext } from '../view-context.js';

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
}

export interface KaConfigurationPageProps {
  ctx: ViewContext;
  configuration: KaConfigurationView;
  settings: SettingDefinition[];
  testResult?: ConnectionTestResult;
  notice?: string;
}

export function KaConfigurationPage({ ctx, configuration: c, settings, testResult, notice }: KaConfigurationPageProps) {
  return (
    <Layout ctx={ctx} title={c.name} active="configurations" back={<a href="/ka-configurations">KA configurations</a>}>
      {notice && <Notice kind="success">{notice}</Notice>}
      {testResult && (
        <Notice kind={testResult.ok ? 'success' : 'error'}>
          <strong>{testResult.ok ? 'Connection works: ' : 'Connection failed: '}</strong>
          {testResult.message}
        </Notice>
      )}
      <div class="actions">
        {canOperate(ctx) && (
          <ActionButton
            ctx={ctx}
            action={`/ka-configurations/${c.id}/test`}
            label="Test connection"
            variant="primary"
          />
        )}
        {canConfigure(ctx) && (
          <a class="button secondary" href={`/ka-configurations/${c.id}/edit`}>
            Edit
          </a>
        )}
        {canConfigure(ctx) &&
          (c.enabled ? (
            <ActionButton ctx={ctx} action={`/ka-configurations/${c.id}/disable`} label="Disable" variant="danger" />
          ) : (
            <ActionButton ctx={ctx} action={`/ka-configurations/${c.id}/enable`} label="Enable" />
          ))}
        <a class="button secondary" href={`/licenses?configuration=${c.id}`}>
          Licenses
        </a>
        <a class="button secondary" href={`/usage?configuration=${c.id}`}>
          Usage
        </a>
      </div>
      <section aria-labelledby="status-h">
        <h2 id="status-h">Status</h2>
        <Facts
          items={[
            ['Status', <StateBadge state={c.status} />],
            ['Enabled', c.enabled ? 'yes' : 'no'],
            ['Plugin', c.plugin],
            ['Products fetched', <Time iso={c.productsFetchedAt} />],
            ['Allowed products', c.allowedProducts?.length ? c.allowedProducts.join(', ') : 'all the KA sells'],
            ['Last error', c.lastError ? <ErrorText error={c.lastError} /> : null],
          ]}
        />
      </section>
      <section aria-labelledby="settings-h">
        <h2 id="settings-h">Settings</h2>
        <Facts
          items={settings.map((s) => [
            s.label,
            s.secret
              ? c.settings[s.name] === undefined
                ? null
                : 'stored (hidden)'
              : c.settings[s.name] === undefined
                ? null
                : String(c.settings[s.name]),
          ])}
        />
      </section>
      <section aria-labelledby="products-h">
        <h2 id="products-h">Products</h2>
        {c.products.length === 0 ? (
          <Empty>No products fetched yet.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Name</th>
                <th scope="col">Features</th>
              </tr>
            </thead>
            <tbody>
              {c.products.map((p) => (
                <tr key={p.id}>
                  <td>
                    <code>{p.id}</code>
                  </td>
                  <td>{p.name}</td>
                  <td>{p.features.map((f) => f.id).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
