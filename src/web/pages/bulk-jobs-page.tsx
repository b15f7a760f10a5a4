import type { BulkJob } from '../../features/bulk-jobs/bulk-job.js';
import { Empty, Pager, StateBadge, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

/** How far a job is: its items written or cancelled, of all. */
export function BulkProgress({ job }: { job: BulkJob }) {
  const { total, left } = job.counts;
  return (
    <progress class="bulk-progress" max={total} value={total - left} aria-label={`Bulk job ${job.id} progress`}>
      {total - left} of {total}
    </progress>
  );
}

/** "12 done · 1 failed · 3 skipped · 0 cancelled · 84 left". */
export function countsText(job: BulkJob): string {
  const { done, failed, skipped, cancelled, left } = job.counts;
  return `${done} done · ${failed} failed · ${skipped} skipped · ${cancelled} cancelled · ${left} left`;
}

export function BulkJobsPage({
  ctx,
  jobs,
  nextCursor,
  cursor,
}: {
  ctx: ViewContext;
  jobs: BulkJob[];
  nextCursor: string | null;
  cursor?: string;
}) {
  return (
    <Layout ctx={ctx} title="Bulk jobs" active="bulk">
      <p class="lead">
        One action over many licenses or license requests, started from the <a href="/licenses">licenses</a> list.
      </p>
      {jobs.length === 0 ? (
        <Empty>No bulk jobs yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Action</th>
              <th scope="col">State</th>
              <th scope="col">Progress</th>
              <th scope="col">Started by</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={job.id}>
                <td>
                  <a href={`/bulk-jobs/${job.id}`}>#{job.id}</a>
                </td>
                <td>{job.action.replace(/_/g, ' ')}</td>
                <td>
                  <StateBadge state={job.state} />
                </td>
                <td>
                  <BulkProgress job={job} /> <span class="muted">{countsText(job)}</span>
                </td>
                <td>{job.actor.name ?? job.actor.type}</td>
                <td>
                  <Time iso={job.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager path="/bulk-jobs" query={{ cursor }} nextCursor={nextCursor} />
    </Layout>
  );
}
