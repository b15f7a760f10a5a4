import type { MigrationPlan } from '../../features/migrations/migration-plan.js';
import type { KaProduct } from '../../plugin-sdk/ka-adapter.js';
import type { TabProduct } from '../../read-models/tab-products.js';
import { Empty } from '../components/display.js';
import { CheckboxField, CsrfField, type FieldErrors, FormProblem, SelectField } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import { withQuery } from '../render.js';
import type { ViewContext } from '../view-context.js';

/** The migration form as filled in: the target and, per product of the tab, its product at the target ('' = not moved). */
export interface MigrateForm {
  targetConfigurationId?: string;
  map: Record<string, string>;
  atRenewal: boolean;
}

export interface MigratePageProps {
  ctx: ViewContext;
  tab: { id: number; name: string };
  /** The configurations a tab may move to (enabled, not the tab's own). */
  targets: Array<{ id: number; name: string }>;
  target?: { id: number; name: string; products: KaProduct[] };
  products: TabProduct[];
  form: MigrateForm;
  errors?: FieldErrors;
  problem?: string;
  plan?: MigrationPlan;
}

/** The form's fields, resent as they were: what was previewed is what runs. */
function FormFields({ tab, form }: { tab: { id: number }; form: MigrateForm }) {
  return (
    <>
      <input type="hidden" name="configuration" value={String(tab.id)} />
      <input type="hidden" name="targetConfigurationId" value={form.targetConfigurationId ?? ''} />
      {Object.entries(form.map).map(([product, targetProduct]) => (
        <span key={product}>
          <input type="hidden" name="product" value={product} />
          <input type="hidden" name="targetProduct" value={targetProduct} />
        </span>
      ))}
      {form.atRenewal && <input type="hidden" name="atRenewal" value="true" />}
    </>
  );
}

const skipReasons: Record<string, string> = {
  unmapped_product: 'no product mapped',
  invalid_state: 'not installed',
  already_migrated: 'already migrated',
  migration_in_progress: 'a migration is under way',
  same_configuration: 'already at the target',
  no_subscription: 'no subscription to renew',
};

/** What a dry run answered: products mapped, products left out, licenses skipped and why. */
function PlanTables({ plan }: { plan: MigrationPlan }) {
  const skipped = plan.licenses.filter((l) => l.action === 'skip');
  return (
    <section aria-labelledby="plan-title">
      <h2 id="plan-title">Preview</h2>
      <p class="lead">
        {plan.count} licenses in the tab · {plan.toMigrate} would move
        {plan.atRenewal ? ' at their next renewal' : ' now'} · {plan.count - plan.toMigrate} skipped. Nothing has
        changed yet.
      </p>
      <table>
        <caption>Mapped products</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Product at the target</th>
            <th scope="col" class="num">
              Licenses
            </th>
            <th scope="col" class="num">
              Units
            </th>
          </tr>
        </thead>
        <tbody>
          {plan.mapped.map((m) => (
            <tr key={`${m.product}>${m.targetProduct}`}>
              <td>{m.product}</td>
              <td>{m.targetProduct}</td>
              <td class="num">{m.licenses}</td>
              <td class="num">{m.quantity}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.unmapped.length > 0 && (
        <table>
          <caption>Products with no mapping (not migrated)</caption>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" class="num">
                Licenses
              </th>
            </tr>
          </thead>
          <tbody>
            {plan.unmapped.map((u) => (
              <tr key={u.product}>
                <td>{u.product}</td>
                <td class="num">{u.licenses}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {skipped.length > 0 && (
        <table>
          <caption>Skipped licenses</caption>
          <thead>
            <tr>
              <th scope="col">Key number</th>
              <th scope="col">Product</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {skipped.map((l) => (
              <tr key={l.licenseId}>
                <td>
                  <a href={`/licenses/${l.licenseId}`}>{l.keyNumber}</a>
                </td>
                <td>{l.product}</td>
                <td>{l.message ?? skipReasons[l.code ?? ''] ?? l.code}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {plan.licenses.length < plan.count && (
        <p class="muted">The first {plan.licenses.length} licenses are listed; the counts cover all.</p>
      )}
    </section>
  );
}

/**
 * "Migrate…" on a licenses tab (seed 003): the target configuration, the tab's products mapped
 * to the target's, now or at renewal; a preview (the API's dry run), then the migration as a
 * bulk job once its count is confirmed.
 */
export function MigratePage({ ctx, tab, targets, target, products, form, errors, problem, plan }: MigratePageProps) {
  const back = withQuery('/licenses', { configuration: tab.id });
  return (
    <Layout ctx={ctx} title={`Migrate the licenses of ${tab.name}`} active="licenses">
      <FormProblem message={problem} />
      <form method="get" action="/licenses/migrate" class="filters" aria-label="Target configuration">
        <input type="hidden" name="configuration" value={String(tab.id)} />
        <SelectField
          name="target"
          label="Target KA configuration"
          value={target ? String(target.id) : undefined}
          blank="choose…"
          options={targets.map((t) => ({ value: String(t.id), label: t.name }))}
          errors={errors && { target: errors.targetConfigurationId ?? '' }}
        />
        <button type="submit" class="button secondary">
          Choose
        </button>
      </form>
      {targets.length === 0 && <Empty>No other enabled KA configuration to migrate to.</Empty>}
      {target && (
        <form method="post" action="/licenses/migrate" aria-label="Product mapping">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="configuration" value={String(tab.id)} />
          <input type="hidden" name="targetConfigurationId" value={String(target.id)} />
          {errors?.productMap && <FormProblem message={`Product mapping: ${errors.productMap}`} />}
          <table>
            <caption>Product mapping to {target.name}</caption>
            <thead>
              <tr>
                <th scope="col">Product in this tab</th>
                <th scope="col" class="num">
                  Licenses
                </th>
                <th scope="col">Product at {target.name}</th>
              </tr>
            </thead>
            <tbody>
              {products.map((p, i) => (
                <tr key={p.product}>
                  <td>
                    {p.product}
                    <input type="hidden" name="product" value={p.product} />
                  </td>
                  <td class="num">{p.licenses}</td>
                  <td>
                    <SelectField
                      name="targetProduct"
                      idPrefix={`map-${i}-`}
                      label={`Product at the target for ${p.product}`}
                      value={form.map[p.product]}
                      blank="not migrated"
                      options={target.products.map((t) => ({ value: t.id, label: `${t.name} (${t.id})` }))}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <CheckboxField
            name="atRenewal"
            label="At renewal: move each license when its customer renews (auto-renew off until then; the customer is told)"
            checked={form.atRenewal}
          />
          <button type="submit" name="step" value="preview" class="button primary">
            Preview
          </button>
        </form>
      )}
      {plan && <PlanTables plan={plan} />}
      {plan && plan.toMigrate > 0 && (
        <form method="post" action="/licenses/migrate" class="actions" aria-label="Run the migration">
          <CsrfField ctx={ctx} />
          <FormFields tab={tab} form={form} />
          <input type="hidden" name="confirm" value={String(plan.count)} />
          <input type="hidden" name="step" value="migrate" />
          <p>
            The migration runs as a bulk job: a new key at the target for each license, the old key terminated once the
            new one is installed.
          </p>
          <button type="submit" class="button danger">
            Migrate {plan.toMigrate} licenses
          </button>
        </form>
      )}
      <p>
        <a href={back}>Back to the licenses</a>
      </p>
    </Layout>
  );
}
