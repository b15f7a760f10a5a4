import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

const titles: Record<number, string> = {
  400: 'That request is not valid',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Not possible right now',
  413: 'Too large',
  429: 'Too many attempts',
};

/** A refused or failed request, saying why in words a staff member can act on. */
export function ErrorPage({ ctx, status, message }: { ctx: ViewContext; status: number; message: string }) {
  return (
    <Layout ctx={ctx} title={titles[status] ?? 'Something went wrong'}>
      <div class="notice error" role="alert">
        <p>{message}</p>
      </div>
      <p>{status === 401 ? <a href="/sign-in">Sign in</a> : <a href="/">Back to the console</a>}</p>
    </Layout>
  );
}
