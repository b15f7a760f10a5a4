import type { KaProduct } from '../../plugin-sdk/ka-adapter.js';
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

export interface NewLicenseForm {
  configuration?: string;
  product?: string;
  features?: string;
  subscription?: string;
  quantity?: string;
  periodMonths?: string;
  keyNumbers?: string;
  note?: string;
  override?: boolean;
  errors?: FieldErrors;
  problem?: string;
}

export interface NewLicensePageProps {
  ctx: ViewContext;
  configurations: Array<{ id: number; name: string }>;
  /** Products the chosen configuration's KA sells, offered as suggestions. */
  products: KaProduct[];
  request: NewLicenseForm;
  upload: NewLicenseForm;
  accept: string;
}

function ConfigurationSelect({
  configurations,
  value,
  errors,
  idPrefix,
}: {
  configurations: NewLicensePageProps['configurations'];
  value?: string;
  errors?: FieldErrors;
  idPrefix: string;
}) {
  return (
    <SelectField
      idPrefix={idPrefix}
      name="configurationId"
      label="KA configuration"
      value={value}
      options={configurations.map((c) => ({ value: String(c.id), label: c.name }))}
      required
      errors={errors}
    />
  );
}

/** New License: ask a KA for a key through the pipeline, or record a key bought elsewhere. */
export function NewLicensePage({ ctx, configurations, products, request, upload, accept }: NewLicensePageProps) {
  return (
    <Layout
      ctx={ctx}
      title="New License"
      active="licenses"
      back={
        <a href={request.configuration ? `/licenses?configuration=${request.configuration}` : '/licenses'}>Licenses</a>
      }
    >
      <datalist id="products">
        {products.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </datalist>
      <form method="post" action="/licenses/new/request" class="card" aria-labelledby="request-h" novalidate>
        <h2 id="request-h">Request a key from the KA</h2>
        <p class="help">The key is issued and installed by the pipeline, like an ordered one.</p>
        <FormProblem message={request.problem} />
        <CsrfField ctx={ctx} />
        <ConfigurationSelect
          idPrefix="request-"
          configurations={configurations}
          value={request.configuration}
          errors={request.errors}
        />
        <div class={`field${request.errors?.product ? ' invalid' : ''}`}>
          <label for="f-request-product">Product</label>
          <input
            id="f-request-product"
            name="product"
            list="products"
            value={request.product}
            required
            aria-invalid={request.errors?.product ? 'true' : undefined}
            aria-describedby={request.errors?.product ? 'f-request-product-error' : undefined}
          />
          {request.errors?.product && (
            <p class="field-error" id="f-request-product-error">
              {request.errors.product}
            </p>
          )}
        </div>
        <TextField
          idPrefix="request-"
          name="features"
          label="Features"
          value={request.features}
          description="Feature ids, separated by commas."
          errors={request.errors}
        />
        <TextField
          idPrefix="request-"
          name="quantity"
          label="Quantity"
          type="number"
          min={1}
          max={1000}
          value={request.quantity}
          description="Units the key counts (users, computers ...), for a counted product. Empty: 1."
          errors={request.errors}
        />
        <TextField
          idPrefix="request-"
          name="periodMonths"
          label="Period (months)"
          type="number"
          min={1}
          max={120}
          value={request.periodMonths}
          description="The term the KA sells the key for (1, 12, 24, 36). Empty: the KA's default."
          errors={request.errors}
        />
        <TextField
          idPrefix="request-"
          name="subscriptionId"
          label="Subscription id"
          value={request.subscription}
          description="Empty: a standalone license."
          errors={request.errors}
        />
        <button type="submit" class="button primary">
          Request key
        </button>
      </form>
      <form
        method="post"
        action="/licenses/new/upload"
        enctype="multipart/form-data"
        class="card"
        aria-labelledby="upload-h"
        novalidate
      >
        <h2 id="upload-h">Upload a key and its files</h2>
        <p class="help">For a key made in the KA's own console. The files are checked before anything is stored.</p>
        <FormProblem message={upload.problem} />
        <CsrfField ctx={ctx} />
        <ConfigurationSelect
          idPrefix="upload-"
          configurations={configurations}
          value={upload.configuration ?? request.configuration}
          errors={upload.errors}
        />
        <TextArea
          idPrefix="upload-"
          name="keyNumbers"
          label="Key number(s)"
          value={upload.keyNumbers}
          rows={2}
          description="The main key first; additional keys after it."
          errors={upload.errors}
        />
        <div class={`field${upload.errors?.files ? ' invalid' : ''}`}>
          <label for="f-upload-files">License file(s)</label>
          <input
            id="f-upload-files"
            type="file"
            name="files"
            multiple
            accept={accept}
            aria-invalid={upload.errors?.files ? 'true' : undefined}
            aria-describedby={upload.errors?.files ? 'f-upload-files-error' : undefined}
          />
          {upload.errors?.files && (
            <p class="field-error" id="f-upload-files-error">
              {upload.errors.files}
            </p>
          )}
        </div>
        <TextField
          idPrefix="upload-"
          name="product"
          label="Product"
          value={upload.product}
          description="Empty: the key type named in the file."
          errors={upload.errors}
        />
        <TextField
          idPrefix="upload-"
          name="subscriptionId"
          label="Subscription id"
          value={upload.subscription}
          description="Empty: a standalone license."
          errors={upload.errors}
        />
        <CheckboxField
          idPrefix="upload-"
          name="override"
          label="Store it even though it does not match"
          checked={upload.override === true}
          errors={upload.errors}
        />
        <TextArea idPrefix="upload-" name="note" label="Note" value={upload.note} rows={2} errors={upload.errors} />
        <button type="submit" class="button primary">
          Upload
        </button>
      </form>
    </Layout>
  );
}
