import type { SubscriptionDetails } from '../../read-models/subscription-view.js';
import { DateOnly } from '../components/display.js';
import { ActionButton, CheckboxField, CsrfField } from '../components/form-fields.js';
import { canOperate, type ViewContext } from '../view-context.js';

/** What the subscription page says after an action (`?done=`): fixed texts, never echoed input. */
export const subscriptionActionNotices: Record<string, { kind: 'success' | 'error' | 'info'; text: string }> = {
  cancelled: { kind: 'success', text: 'Cancelled: each license is being terminated at its KA.' },
  cancel_scheduled: { kind: 'success', text: 'The subscription cancels at the end of its term.' },
  cancel_withdrawn: { kind: 'success', text: 'The cancel at the end of the term was withdrawn.' },
  suspended: {
    kind: 'success',
    text: 'Suspended: each license is being suspended (in Keyway only where its KA cannot).',
  },
  resumed: { kind: 'success', text: 'Resumed: each suspended license is being resumed.' },
  unchanged: { kind: 'info', text: 'Nothing to do: the subscription already was so.' },
  confirm: { kind: 'error', text: 'Confirm that every license of the subscription stops working.' },
  refused: { kind: 'error', text: 'Refused: the subscription is not in a state that allows it (reload the page).' },
};

/**
 * Cancel (now or at the term's end, with a confirmation), withdraw a pending cancel, suspend and
 * resume, for operators. The licenses' own work is shown in their rows and on their pages.
 */
export function SubscriptionActionsPanel({
  ctx,
  subscription: s,
}: {
  ctx: ViewContext;
  subscription: SubscriptionDetails;
}) {
  if (!canOperate(ctx) || (s.state !== 'active' && s.state !== 'suspended')) return null;
  const base = `/subscriptions/${s.id}`;
  return (
    <section aria-labelledby="subscription-actions-h">
      <h2 id="subscription-actions-h">Actions</h2>
      <div class="actions">
        {s.state === 'active' ? (
          <ActionButton ctx={ctx} action={`${base}/suspend`} label="Suspend (non-payment)" />
        ) : (
          <ActionButton ctx={ctx} action={`${base}/resume`} label="Resume" variant="primary" />
        )}
        {s.cancelsAt && <ActionButton ctx={ctx} action={`${base}/cancel/withdraw`} label="Withdraw the cancel" />}
      </div>
      <form method="post" action={`${base}/cancel`} class="card" aria-labelledby="cancel-h" novalidate>
        <h3 id="cancel-h">Cancel the subscription</h3>
        <p class="help">
          Every license is terminated at its KA; this cannot be undone. At the end of the term (
          <DateOnly iso={s.expiresAt} />) it and its licenses show "cancels on" until then.
        </p>
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>When</legend>
          <div class="radio">
            <input
              id="f-cancel-when-term-end"
              type="radio"
              name="when"
              value="term_end"
              checked={!s.cancelsAt}
              disabled={Boolean(s.cancelsAt)}
            />
            <label for="f-cancel-when-term-end">At the end of the term</label>
          </div>
          <div class="radio">
            <input id="f-cancel-when-now" type="radio" name="when" value="now" checked={Boolean(s.cancelsAt)} />
            <label for="f-cancel-when-now">Now</label>
          </div>
        </fieldset>
        <CheckboxField
          name="confirm"
          label={`The ${s.licenses.length} license(s) of subscription #${s.id} stop working`}
          idPrefix="cancel-"
          checked={false}
        />
        <button type="submit" class="button danger">
          Cancel subscription
        </button>
      </form>
    </section>
  );
}
