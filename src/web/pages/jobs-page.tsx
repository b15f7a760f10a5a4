import type { FailedJob, QueueDepth } from '../../infra/queue/job-queue.js';
import { Empty, Notice, Time } from '../components/display.js';
import { ActionButton } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

export interface JobsPageProps {
  ctx: ViewContext;
  depths: QueueDepth[];
  failed: FailedJob[];
  notice?: { kind: 'success' | 'error'; text: string };
}

/** Seconds, for the age of the oldest waiting job. */
function age(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The job queues for admins: depth per queue and the failed jobs kept, with retry and remove.
 * The database holds the truth of every request: a failed job here is a step the reconciler
 * would also take again; retrying it only does so now.
 */
export function JobsPage({ ctx, depths, failed, notice }: JobsPageProps) {
  return (
    <Layout ctx={ctx} title="Jobs" active="jobs">
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <section aria-labelledby="queues-h">
        <h2 id="queues-h">Queues</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Waiting</th>
              <th scope="col">Delayed</th>
              <th scope="col">Running</th>
              <th scope="col">Failed</th>
              <th scope="col">Oldest waiting</th>
            </tr>
          </thead>
          <tbody>
            {depths.map((d) => (
              <tr key={d.name}>
                <td>
                  <code>{d.name}</code>
                </td>
                <td>{d.waiting}</td>
                <td>{d.delayed}</td>
                <td>{d.active}</td>
                <td>{d.failed}</td>
                <td>{age(d.oldestWaitingMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="failed-h">
        <h2 id="failed-h">Failed jobs</h2>
        <p class="help">
          Jobs dropped after their last attempt, newest first. What they were doing is in the database: the reconciler
          takes every unfinished step again by itself; Retry runs this one now, Remove forgets it.
        </p>
        {failed.length === 0 ? (
          <Empty>No failed jobs.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Failed</th>
                <th scope="col">Queue</th>
                <th scope="col">Job</th>
                <th scope="col">Payload</th>
                <th scope="col">Attempts</th>
                <th scope="col">Error</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {failed.map((job) => {
                const path = `/admin/jobs/${encodeURIComponent(job.name)}/${encodeURIComponent(job.id)}`;
                return (
                  <tr key={`${job.name}/${job.id}`}>
                    <td>
                      <Time iso={new Date(job.failedAt).toISOString()} />
                    </td>
                    <td>
                      <code>{job.name}</code>
                    </td>
                    <td>
                      <code>{job.id}</code>
                    </td>
                    <td>
                      <code>{JSON.stringify(job.payload)}</code>
                    </td>
                    <td>{job.attempts}</td>
                    <td>{job.error}</td>
                    <td>
                      <ActionButton ctx={ctx} action={`${path}/retry`} label="Retry" />
                      <ActionButton ctx={ctx} action={`${path}/remove`} label="Remove" variant="danger" />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
