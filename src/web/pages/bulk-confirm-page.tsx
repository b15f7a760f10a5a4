import { Notice } from '../components/display.js';
import { CsrfField } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

/**
 * "Terminate 37 licenses?": the bulk form sent again with the count it selects, which the
 * service requires for a destructive action; or why the bulk form was refused.
 */
export function BulkConfirmPage({
  ctx,
  question,
  count,
  fields,
  ids,
  back,
  problem,
}: {
  ctx: ViewContext;
  question?: string;
  count?: number;
  /** The form's fields as sent (action, filter), resent as they were. */
  fields: Record<string, string>;
  ids: string[];
  back: string;
  problem?: string;
}) {
  return (
    <Layout ctx={ctx} title={question ?? 'Bulk action refused'} active="licenses">
      {problem && <Notice kind="error">{problem}</Notice>}
      {question && count !== undefined && (
        <form method="post" action="/bulk-jobs" class="actions">
          <CsrfField ctx={ctx} />
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {ids.map((id) => (
            <input key={id} type="hidden" name="ids" value={id} />
          ))}
          <input type="hidden" name="confirm" value={String(count)} />
          <p>This cannot be undone.</p>
          <button type="submit" class="button danger">
            Yes, {question.replace(/\?$/, '').toLowerCase()}
          </button>
        </form>
      )}
      <p>
        <a href={back}>Back to the licenses</a>
      </p>
    </Layout>
  );
}
