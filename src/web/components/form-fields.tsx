import type { ComponentChildren } from 'preact';
import { csrfField } from '../session/csrf.js';
import type { ViewContext } from '../view-context.js';

/** Problems of a submitted form by field name, shown next to each field. */
export type FieldErrors = Record<string, string>;

export function CsrfField({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name={csrfField} value={ctx.csrfToken} />;
}

interface FieldProps {
  name: string;
  label: string;
  errors?: FieldErrors;
  description?: string;
  required?: boolean;
  /** Keeps ids unique when two forms on a page have a field of the same name. */
  idPrefix?: string;
}

function Help({ id, description, error }: { id: string; description?: string; error?: string }) {
  return (
    <>
      {description && (
        <p class="help" id={`${id}-help`}>
          {description}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

function describedBy(id: string, description?: string, error?: string): string | undefined {
  const ids = [description ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

interface InputAttributes {
  id: string;
  name: string;
  required?: boolean;
  autocomplete?: string;
  'aria-invalid'?: 'true';
  'aria-describedby'?: string;
  value?: string;
  placeholder?: string;
  min?: number;
  max?: number;
}

/** Preact types each input type separately, so the type attribute is spelled out per case. */
function typedInput(type: Exclude<InputType, 'password'>, a: InputAttributes) {
  switch (type) {
    case 'email':
      return <input type="email" {...a} />;
    case 'url':
      return <input type="url" {...a} />;
    case 'number':
      return <input type="number" {...a} />;
    case 'search':
      return <input type="search" {...a} />;
    case 'date':
      return <input type="date" {...a} />;
    default:
      return <input type="text" {...a} />;
  }
}

type InputType = 'text' | 'email' | 'password' | 'url' | 'number' | 'search' | 'date';

export function TextField(
  props: FieldProps & {
    value?: string | number;
    type?: InputType;
    autocomplete?: string;
    placeholder?: string;
    min?: number;
    max?: number;
  },
) {
  const id = `f-${props.idPrefix ?? ''}${props.name}`;
  const error = props.errors?.[props.name];
  const common = {
    id,
    name: props.name,
    required: props.required,
    autocomplete: props.autocomplete,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(id, props.description, error),
  };
  const type = props.type ?? 'text';
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>
        {props.label}
        {props.required && <span class="required"> (required)</span>}
      </label>
      {/* A password input never echoes a value back. */}
      {type === 'password' ? (
        <input type="password" {...common} />
      ) : (
        typedInput(type, {
          ...common,
          value: props.value === undefined ? undefined : String(props.value),
          placeholder: props.placeholder,
          min: props.min,
          max: props.max,
        })
      )}
      <Help id={id} description={props.description} error={error} />
    </div>
  );
}

export function TextArea(props: FieldProps & { value?: string; rows?: number }) {
  const id = `f-${props.idPrefix ?? ''}${props.name}`;
  const error = props.errors?.[props.name];
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 3}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.description, error)}
      >
        {props.value ?? ''}
      </textarea>
      <Help id={id} description={props.description} error={error} />
    </div>
  );
}

export function SelectField(
  props: FieldProps & { value?: string; options: Array<{ value: string; label: string }>; blank?: string },
) {
  const id = `f-${props.idPrefix ?? ''}${props.name}`;
  const error = props.errors?.[props.name];
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.description, error)}
      >
        {props.blank !== undefined && <option value="">{props.blank}</option>}
        {props.options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Help id={id} description={props.description} error={error} />
    </div>
  );
}

export function CheckboxField(props: FieldProps & { checked: boolean; value?: string }) {
  const id = `f-${props.idPrefix ?? ''}${props.name}`;
  const error = props.errors?.[props.name];
  return (
    <div class={`field checkbox${error ? ' invalid' : ''}`}>
      <input
        id={id}
        type="checkbox"
        name={props.name}
        value={props.value ?? 'true'}
        checked={props.checked}
        aria-describedby={describedBy(id, props.description, error)}
      />
      <label for={id}>{props.label}</label>
      <Help id={id} description={props.description} error={error} />
    </div>
  );
}

/** A one-button form that POSTs an action with the session's token. */
export function ActionButton({
  ctx,
  action,
  label,
  variant,
  children,
}: {
  ctx: ViewContext;
  action: string;
  label: string;
  variant?: 'primary' | 'danger' | 'secondary';
  children?: ComponentChildren;
}) {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField ctx={ctx} />
      {children}
      <button type="submit" class={`button ${variant ?? 'secondary'}`}>
        {label}
      </button>
    </form>
  );
}

/** Errors of a form as a whole (not tied to one field), announced to screen readers. */
export function FormProblem({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div class="notice error" role="alert">
      {message}
    </div>
  );
}
