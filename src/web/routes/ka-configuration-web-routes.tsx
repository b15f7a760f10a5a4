import { type Request, type Response, Router } from 'express';
import { NotFoundError } from '../../errors/app-error.js';
import { allow, principalOf } from '../../http/access.js';
import { actorOf } from '../../kernel/principal.js';
import { permissions } from '../../kernel/permissions.js';
import type { KaConfigurationService } from '../../features/ka-configurations/ka-configuration-service.js';
import type {
  KaConfigurationStore,
  StoredKaConfiguration,
} from '../../features/ka-configurations/ka-configuration-store.js';
import type { Db } from '../../infra/db/database.js';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import type { KaPluginDefinition } from '../../plugin-sdk/plugin-definition.js';
import type { FieldErrors } from '../components/form-fields.js';
import { formChecked, formErrorsOf, formText } from '../form-body.js';
import {
  ChoosePluginPage,
  KaConfigurationFormPage,
  type KaConfigurationFormValues,
} from '../pages/ka-configuration-form-page.js';
import { type ConnectionTestResult, KaConfigurationPage } from '../pages/ka-configuration-page.js';
import { KaConfigurationsPage } from '../pages/ka-configurations-page.js';
import { queryString, sendPage } from '../render.js';
import { viewContext } from '../view-context.js';

export interface KaConfigurationWebDeps {
  db: Db;
  service: KaConfigurationService;
  store: KaConfigurationStore;
  plugins: { list(): KaPluginDefinition[] };
}

const notices: Record<string, string> = {
  created: 'Configuration created. Its products are being fetched from the KA.',
  saved: 'Changes saved.',
  enabled: 'Configuration enabled. Its products are being fetched again.',
  disabled: 'Configuration disabled: no new keys are requested through it.',
};

/** The form's values as the service takes them: settings from `settings.<name>` inputs. */
function readForm(body: unknown, plugin: KaPluginDefinition, editing: boolean) {
  const settings: Record<string, unknown> = {};
  const shown: KaConfigurationFormValues['settings'] = {};
  for (const def of plugin.settings) {
    const key = `settings.${def.name}`;
    if (def.type === 'boolean') {
      settings[def.name] = formChecked(body, key);
      shown[def.name] = formChecked(body, key);
      continue;
    }
    const text = formText(body, key).trim();
    // An empty secret on edit keeps the stored one: secrets are write-only.
    if (def.secret && editing && text === '') continue;
    settings[def.name] = text;
    if (!def.secret) shown[def.name] = text;
  }
  const allowed = formText(body, 'allowedProducts')
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const values: KaConfigurationFormValues = {
    name: formText(body, 'name').trim(),
    enabled: formChecked(body, 'enabled'),
    allowedProducts: allowed.join('\n'),
    settings: shown,
  };
  return {
    values,
    input: { name: values.name, settings, enabled: values.enabled, allowedProducts: allowed.length ? allowed : null },
  };
}

function storedValues(c: StoredKaConfiguration, plugin: KaPluginDefinition): KaConfigurationFormValues {
  const settings: KaConfigurationFormValues['settings'] = {};
  for (const def of plugin.settings) {
    const v = c.settings[def.name];
    if (def.secret || v === undefined) continue;
    settings[def.name] = typeof v === 'boolean' ? v : String(v);
  }
  return { name: c.name, enabled: c.enabled, allowedProducts: (c.allowedProducts ?? []).join('\n'), settings };
}

function nameProblem(name: string): FieldErrors | undefined {
  if (!name) return { name: 'Enter a name.' };
  if (name.length > 120) return { name: 'At most 120 characters.' };
  return undefined;
}

export function kaConfigurationWebRoutes(deps: KaConfigurationWebDeps): Router {
  const router = Router();
  const pluginNamed = (name: string | undefined) => deps.plugins.list().find((p) => p.name === name);

  const showDetails = async (
    req: Request,
    res: Response,
    id: number,
    extra: { testResult?: ConnectionTestResult; notice?: string } = {},
  ) => {
    const stored = await deps.service.get(id);
    const settings = pluginNamed(stored.pluginName)?.settings ?? [];
    sendPage(
      res,
      <KaConfigurationPage
        ctx={viewContext(req)}
        configuration={deps.service.view(stored)}
        settings={settings}
        {...extra}
      />,
    );
  };

  router.get('/ka-configurations', async (req, res) => {
    const rows = await deps.store.list(deps.db);
    sendPage(
      res,
      <KaConfigurationsPage ctx={viewContext(req)} configurations={rows.map((c) => deps.service.view(c))} />,
    );
  });

  router.get('/ka-configurations/new', allow(...permissions.configureKa), (req, res) => {
    const plugins = deps.plugins.list();
    const plugin = pluginNamed(queryString(req.query.plugin)) ?? (plugins.length === 1 ? plugins[0] : undefined);
    if (!plugin) return sendPage(res, <ChoosePluginPage ctx={viewContext(req)} plugins={plugins} />);
    const settings: KaConfigurationFormValues['settings'] = {};
    for (const def of plugin.settings)
      if (def.default !== undefined && !def.secret)
        settings[def.name] = typeof def.default === 'boolean' ? def.default : String(def.default);
    sendPage(
      res,
      <KaConfigurationFormPage
        ctx={viewContext(req)}
        plugin={plugin}
        values={{ name: '', enabled: true, allowedProducts: '', settings }}
        storedSecrets={[]}
      />,
    );
  });

  router.post('/ka-configurations', allow(...permissions.configureKa), async (req, res) => {
    const plugin = pluginNamed(formText(req.body, 'plugin'));
    if (!plugin) throw new NotFoundError('KA plugin', formText(req.body, 'plugin') || '(none)');
    const { values, input } = readForm(req.body, plugin, false);
    const ctx = viewContext(req);
    const problem = nameProblem(values.name);
    if (problem)
      return sendPage(
        res,
        <KaConfigurationFormPage ctx={ctx} plugin={plugin} values={values} storedSecrets={[]} errors={problem} />,
        400,
      );
    try {
      const created = await deps.service.create({ ...input, plugin: plugin.name }, actorOf(principalOf(req)));
      res.redirect(303, `/ka-configurations/${created.id}?done=created`);
    } catch (err) {
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      sendPage(
        res,
        <KaConfigurationFormPage ctx={ctx} plugin={plugin} values={values} storedSecrets={[]} {...shown} />,
        400,
      );
    }
  });

  router.get('/ka-configurations/:id', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    await showDetails(req, res, id, { notice: notices[queryString(req.query.done) ?? ''] });
  });

  router.get('/ka-configurations/:id/edit', allow(...permissions.configureKa), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const stored = await deps.service.get(id);
    const plugin = pluginNamed(stored.pluginName);
    if (!plugin) throw new NotFoundError('loaded KA plugin', stored.pluginName);
    const storedSecrets = plugin.settings
      .filter((d) => d.secret && stored.settings[d.name] !== undefined)
      .map((d) => d.name);
    sendPage(
      res,
      <KaConfigurationFormPage
        ctx={viewContext(req)}
        id={id}
        plugin={plugin}
        values={storedValues(stored, plugin)}
        storedSecrets={storedSecrets}
      />,
    );
  });

  router.post('/ka-configurations/:id/edit', allow(...permissions.configureKa), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const stored = await deps.service.get(id);
    const plugin = pluginNamed(stored.pluginName);
    if (!plugin) throw new NotFoundError('loaded KA plugin', stored.pluginName);
    const { values, input } = readForm(req.body, plugin, true);
    const storedSecrets = plugin.settings
      .filter((d) => d.secret && stored.settings[d.name] !== undefined)
      .map((d) => d.name);
    const ctx = viewContext(req);
    const problem = nameProblem(values.name);
    if (problem)
      return sendPage(
        res,
        <KaConfigurationFormPage
          ctx={ctx}
          id={id}
          plugin={plugin}
          values={values}
          storedSecrets={storedSecrets}
          errors={problem}
        />,
        400,
      );
    try {
      await deps.service.update(id, input, actorOf(principalOf(req)));
      res.redirect(303, `/ka-configurations/${id}?done=saved`);
    } catch (err) {
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      sendPage(
        res,
        <KaConfigurationFormPage
          ctx={ctx}
          id={id}
          plugin={plugin}
          values={values}
          storedSecrets={storedSecrets}
          {...shown}
        />,
        400,
      );
    }
  });

  router.post('/ka-configurations/:id/test', allow(...permissions.testKaConfiguration), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    let testResult: ConnectionTestResult;
    try {
      testResult = await deps.service.test(id, actorOf(principalOf(req)));
    } catch (err) {
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      testResult = { ok: false, message: shown.problem ?? 'The test could not run.' };
    }
    await showDetails(req, res, id, { testResult });
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    router.post(`/ka-configurations/:id/${action}`, allow(...permissions.configureKa), async (req, res) => {
      const { id } = validate(idParams, req.params, 'params');
      await deps.service.update(id, { enabled }, actorOf(principalOf(req)));
      res.redirect(303, `/ka-configurations/${id}?done=${action}d`);
    });
  }

  return router;
}
