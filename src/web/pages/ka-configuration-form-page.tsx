import type { KaPluginDefinition } from '../../plugin-sdk/plugin-definition.js';
import type { SettingDefinition } from '../../plugin-sdk/settings.js';
import {
  CheckboxField,
  CsrfField,
  type FieldErrors,
  FormProblem,
  SelectField,
  TextArea,
  TextField,
} from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

/** What the form shows: the submitted (or stored) values as text; secrets never. */
export interface KaConfigurationFormValues {
  name: string;
  enabled: boolean;
  allowedProducts: string;
  settings: Record<string, string | boolean>;
}

export interface KaConfigurationFormProps {
  ctx: ViewContext;
  /** Set when editing. */
  id?: number;
  plugin: KaPluginDefinition;
  values: KaConfigurationFormValues;
  /** Names of secret settings that have a stored value (editing). */
  storedSecrets: string[];
  errors?: FieldErrors;
  problem?: string;
}

/** One input per setting of the plugin's schema; secrets are write-only password inputs. */
function SettingField({
  def,
  value,
  stored,
  errors,
}: {
  def: SettingDefinition;
  value: string | boolean | undefined;
  stored: boolean;
  errors?: FieldErrors;
}) {
  const name = `settings.${def.name}`;
  if (def.type === 'boolean')
    return (
      <CheckboxField
        name={name}
        label={def.label}
        checked={value === true}
        description={def.description}
        errors={errors}
      />
    );
  if (def.secret) {
    const description = [
      def.description,
      stored ? 'A value is stored and never shown. Leave empty to keep it.' : undefined,
    ]
      .filter(Boolean)
      .join(' ');
    return (
      <TextField
        name={name}
        label={def.label}
        type="password"
        autocomplete="new-password"
        required={def.required && !stored}
        description={description || undefined}
        errors={errors}
      />
    );
  }
  const defaultNote = def.default !== undefined ? `Default: ${String(def.default)}.` : undefined;
  return (
    <TextField
      name={name}
      label={def.label}
      type={def.type === 'integer' ? 'number' : def.type === 'url' ? 'url' : 'text'}
      value={typeof value === 'string' ? value : undefined}
      required={def.required}
      min={def.min}
      max={def.max}
      description={[def.description, defaultNote].filter(Boolean).join(' ') || undefined}
      errors={errors}
    />
  );
}

export function KaConfigurationFormPage({
  ctx,
  id,
  plugin,
  values,
  storedSecrets,
  errors,
  problem,
}: KaConfigurationFormProps) {
  const title = id ? `Edit ${values.name}` : `New ${plugin.displayName} configuration`;
  return (
    <Layout ctx={ctx} title={title} active="configurations" back={<a href="/ka-configurations">KA configurations</a>}>
      <FormProblem message={problem} />
      <form method="post" action={id ? `/ka-configurations/${id}/edit` : '/ka-configurations'} class="card" novalidate>
        <CsrfField ctx={ctx} />
        {!id && <input type="hidden" name="plugin" value={plugin.name} />}
        <TextField name="name" label="Name (the tab label)" value={values.name} required errors={errors} />
        <fieldset>
          <legend>{plugin.displayName} settings</legend>
          {plugin.settings.map((def) => (
            <SettingField
              key={def.name}
              def={def}
              value={values.settings[def.name]}
              stored={storedSecrets.includes(def.name)}
              errors={errors}
            />
          ))}
        </fieldset>
        <TextArea
          name="allowedProducts"
          label="Allowed products"
          value={values.allowedProducts}
          description="One product id per line. Empty: every product the KA sells."
          errors={errors}
        />
        <CheckboxField name="enabled" label="Enabled" checked={values.enabled} errors={errors} />
        <div class="actions">
          <button type="submit" class="button primary">
            {id ? 'Save changes' : 'Create configuration'}
          </button>
          <a class="button secondary" href={id ? `/ka-configurations/${id}` : '/ka-configurations'}>
            Cancel
          </a>
        </div>
      </form>
    </Layout>
  );
}

/** First step of creating: which plugin (the settings form depends on it). */
export function ChoosePluginPage({ ctx, plugins }: { ctx: ViewContext; plugins: KaPluginDefinition[] }) {
  return (
    <Layout
      ctx={ctx}
      title="New KA configuration"
      active="configurations"
      back={<a href="/ka-configurations">KA configurations</a>}
    >
      <form method="get" action="/ka-configurations/new" class="card">
        <SelectField
          name="plugin"
          label="KA plugin"
          options={plugins.map((p) => ({ value: p.name, label: `${p.displayName} (${p.name} ${p.version})` }))}
          required
        />
        <button type="submit" class="button primary">
          Continue
        </button>
      </form>
    </Layout>
  );
}
