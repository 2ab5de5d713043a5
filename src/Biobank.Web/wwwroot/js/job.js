// Background job page: polls the job's progress once a second until it finishes, then reloads to show the outcome.
(() => {
  const job = document.getElementById('job');
  if (!job || job.dataset.finished === 'true') { return; }
  const set = (id, value, max) => { const bar = document.getElementById(id); if (bar) { bar.max = Math.max(1, max); bar.value = value; } };
  const tick = async () => {
    try {
      const r = await fetch(job.dataset.progressUrl, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } });
      const p = await r.json();
      document.getElementById('job-state').textContent = p.state;
      document.getElementById('job-phase').textContent = p.phase || '';
      set('bar-read', p.bytesRead, p.bytesTotal);
      set('bar-validated', p.rowsValidated, p.rowsRead);
      set('bar-written', p.rowsWritten, p.rowsToWrite || p.rowsValidated);
      for (const el of document.querySelectorAll('#job-counts [data-k]')) { el.textContent = String(p[el.dataset.k] ?? ''); }
      if (p.finished) { window.location.reload(); return; }
    } catch { /* keep polling */ }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 500);
})();
