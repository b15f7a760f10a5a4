import { FormProblem, type FieldErrors, TextField } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import { csrfField } from '../session/csrf.js';
import type { ViewContext } from '../view-context.js';

export interface SignInPageProps {
  ctx: ViewContext;
  /** The sign-in form's own token (double-submit cookie; there is no session yet). */
  formToken: string;
  email?: string;
  next: string;
  errors?: FieldErrors;
  problem?: string;
  signedOut?: boolean;
}

export function SignInPage(props: SignInPageProps) {
  return (
    <Layout ctx={props.ctx} title="Sign in" narrow>
      <div>
        {props.signedOut && (
          <div class="notice success" role="status">
            You are signed out.
          </div>
        )}
        <FormProblem message={props.problem} />
        <form method="post" action="/sign-in" class="card" novalidate>
          <input type="hidden" name={csrfField} value={props.formToken} />
          <input type="hidden" name="next" value={props.next} />
          <TextField
            name="email"
            label="Email"
            type="email"
            value={props.email}
            autocomplete="username"
            required
            errors={props.errors}
          />
          <TextField
            name="password"
            label="Password"
            type="password"
            autocomplete="current-password"
            required
            errors={props.errors}
          />
          <button type="submit" class="button primary">
            Sign in
          </button>
        </form>
      </div>
    </Layout>
  );
}
