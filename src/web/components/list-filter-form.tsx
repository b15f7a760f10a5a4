import type { ListFilterForm } from '../routes/list-filters.js';
import { type FieldErrors, SelectField, TextField } from './form-fields.js';

/** The filter row above the orders and subscriptions lists: a GET form, so a filtered list is a link. */
export function ListFilterFields({
  path,
  label,
  states,
  form,
  errors,
  customerName,
}: {
  path: string;
  label: string;
  states: readonly string[];
  form: ListFilterForm;
  errors?: FieldErrors;
  customerName?: string;
}) {
  return (
    <form method="get" action={path} class="filters" aria-label={label}>
      <SelectField
        name="state"
        label="State"
        value={form.state}
        blank="Any"
        options={states.map((s) => ({ value: s, label: s.replace(/_/g, ' ') }))}
        errors={errors}
      />
      <TextField name="customer" label="Customer id" value={form.customer} description={customerName} errors={errors} />
      <TextField name="from" label="From (UTC)" type="date" value={form.from} errors={errors} />
      <TextField name="until" label="Until (UTC, inclusive)" type="date" value={form.until} errors={errors} />
      <button type="submit" class="button secondary">
        Filter
      </button>
      <a href={path}>Clear</a>
    </form>
  );
}
