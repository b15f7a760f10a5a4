// Keeps a bulk job's page live: polls its progress (JSON, with the console's session) every
// second, moves the bar and the counts, and reloads the page once the job has ended, so the
// failures with their reasons appear.
(() => {
  const section = document.querySelector('[data-progress-url]');
  if (!section) return;
  const url = section.getAttribute('data-progress-url');
  const bar = section.querySelector('progress');
  const counts = section.querySelector('.bulk-counts');
  const text = (c) =>
    `${c.done} done · ${c.failed} failed · ${c.skipped} skipped · ${c.cancelled} cancelled · ${c.left} left`;
  const poll = async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) return setTimeout(poll, 5000);
      const job = await res.json();
      if (bar) {
        bar.max = job.counts.total;
        bar.value = job.counts.total - job.counts.left;
        bar.textContent = `${bar.value} of ${bar.max}`;
      }
      if (counts) counts.textContent = text(job.counts);
      if (job.finishedAt) return window.location.reload();
    } catch {
      // A dropped connection: try again a little later.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
})();
