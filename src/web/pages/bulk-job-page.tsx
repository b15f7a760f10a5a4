import type { BulkJob, BulkJobItem } from '../../features/bulk-jobs/bulk-job.js';
import { Facts, Notice, StateBadge, Time } from '../components/display.js';
import { CsrfField } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import { canOperate, type ViewContext } from '../view-context.js';
import { BulkProgress, countsText } from './bulk-jobs-page.js';

const targetPath = (job: BulkJob, targetId: number) =>
  job.appliesTo === 'license' ? `/licenses/${targetId}` : `/license-requests/${targetId}`;

function ItemTable({ job, items, caption }: { job: BulkJob; items: BulkJobItem[]; caption: string }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{job.appliesTo === 'license' ? 'License' : 'License request'}</th>
          <th scope="col">Why</th>
          <th scope="col">Tries</th>
          <th scope="col">At</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={targetPath(job, item.targetId)}>#{item.targetId}</a>
            </td>
            <td>
              {item.resultCode && <code>{item.resultCode}</code>} {item.result}
            </td>
            <td>{item.attempts}</td>
            <td>
              <Time iso={item.finishedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * One bulk job: its progress (kept live by `/assets/bulk-progress.js`, which polls the page's
 * JSON), cancel, and the items that failed or were skipped, with why.
 */
export function BulkJobPage({
  ctx,
  job,
  failed,
  skipped,
  notice,
  problem,
}: {
  ctx: ViewContext;
  job: BulkJob;
  failed: BulkJobItem[];
  skipped: BulkJobItem[];
  notice?: string;
  problem?: string;
}) {
  const live = job.finishedAt === null;
  return (
    <Layout
      ctx={ctx}
      title={`Bulk job #${job.id}: ${job.action.replace(/_/g, ' ')}`}
      active="bulk"
      back={<a href="/bulk-jobs">Bulk jobs</a>}
      scripts={live ? ['/assets/bulk-progress.js'] : undefined}
    >
      {notice && <Notice kind="success">{notice}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      <section class="bulk-live" data-progress-url={live ? `/bulk-jobs/${job.id}/progress` : undefined}>
        <p>
          <BulkProgress job={job} />{' '}
          <span class="bulk-counts" role="status">
            {countsText(job)}
          </span>
        </p>
        <Facts
          items={[
            ['State', <StateBadge key="state" state={job.state} />],
            ['Items', String(job.counts.total)],
            ['Of', job.appliesTo === 'license' ? 'licenses' : 'license requests'],
            ['Selection', job.filter ? <code key="filter">{JSON.stringify(job.filter)}</code> : 'chosen rows'],
            ['Note', job.note ?? '—'],
            ['Started by', job.actor.name ?? job.actor.type],
            ['Created', <Time key="created" iso={job.createdAt} />],
            ['Cancelled', <Time key="cancelled" iso={job.cancelledAt} />],
            ['Ended', <Time key="ended" iso={job.finishedAt} />],
          ]}
        />
      </section>
      {canOperate(ctx) && job.state === 'running' && (
        <form method="post" action={`/bulk-jobs/${job.id}/cancel`} class="actions">
          <CsrfField ctx={ctx} />
          <button type="submit" class="button danger">
            Cancel the job
          </button>{' '}
          <span class="muted">Items not started are cancelled; those running finish.</span>
        </form>
      )}
      {failed.length > 0 && <ItemTable job={job} items={failed} caption="Failed" />}
      {skipped.length > 0 && <ItemTable job={job} items={skipped} caption="Skipped (did not apply)" />}
      <p>
        <a href={`/audit?entity=bulk_job:${job.id}`}>The job's audit events</a>
      </p>
    </Layout>
  );
}
