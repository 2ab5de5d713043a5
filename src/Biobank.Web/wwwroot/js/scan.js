// Scanning station: a keyboard-wedge scanner types the code then Enter or Tab. Every scan is queued in order,
// answered with a sound and a colour, and the focus never leaves the tube field. Without this file the form still posts.
(() => {
  const form = document.getElementById('scan-form');
  if (!form) { return; }
  const tube = document.getElementById('tube-input');
  const boxInput = document.getElementById('box-input');
  const boxCode = document.getElementById('box-code');
  const position = document.getElementById('position-input');
  const move = document.getElementById('move-input');
  const result = document.getElementById('scan-result');
  const log = document.getElementById('scan-log');
  const moveHere = document.getElementById('move-here');
  const okCount = document.getElementById('ok-count');
  const errorCount = document.getElementById('error-count');
  const used = document.getElementById('used-count');
  const token = form.querySelector('input[name=__RequestVerificationToken]').value;
  const mode = form.querySelector('input[name=Mode]').value;
  let queue = Promise.resolve();
  let lastRefused = null;
  let audio = null;

  const boxPattern = /^[A-Z]{2,3}B[0-9]{8}[0-9A-Z*]$/i;

  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = ok ? [[1320, 0.08]] : [[220, 0.18], [180, 0.25]];
      let t = audio.currentTime;
      for (const [freq, len] of tones) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = freq;
        osc.type = ok ? 'sine' : 'square';
        gain.gain.value = 0.15;
        osc.connect(gain).connect(audio.destination);
        osc.start(t);
        osc.stop(t + len);
        t += len + 0.05;
      }
    } catch { /* no audio device: colour still answers */ }
  }

  function show(ok, text, warning) {
    result.textContent = text;
    result.className = 'scan-result alert mt-3 ' + (ok ? (warning ? 'alert-warning' : 'alert-success') : 'alert-danger');
    const item = document.createElement('li');
    item.className = 'list-group-item ' + (ok ? 'list-group-item-success' : 'list-group-item-danger');
    item.textContent = text;
    log.prepend(item);
    (ok ? okCount : errorCount).textContent = String(Number((ok ? okCount : errorCount).textContent) + 1);
    beep(ok);
  }

  function fill(outcome) {
    if (!outcome.position) { return; }
    const cell = document.querySelector(`#box-map [data-position="${outcome.position}"]`);
    if (!cell) { return; }
    cell.classList.remove('empty');
    cell.classList.add('filled', 'fresh');
    const rect = cell.querySelector('rect');
    if (rect && outcome.colour) { rect.setAttribute('fill', outcome.colour); }
    const texts = cell.querySelectorAll('text');
    if (texts.length >= 3) {
      texts[1].textContent = outcome.barcode.slice(-6);
      texts[2].textContent = outcome.timepoint || '';
    }
    if (used && outcome.used != null) { used.textContent = String(outcome.used); }
  }

  async function send(code, forceMove) {
    const body = new URLSearchParams();
    body.set('BoxCode', boxCode.value);
    body.set('Mode', mode);
    body.set('Tube', code);
    if (position && position.value) { body.set('Position', position.value); }
    if (forceMove || (move && move.checked)) { body.set('Move', 'true'); }
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { 'Accept': 'application/json', 'RequestVerificationToken': token, 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        credentials: 'same-origin',
      });
      const outcome = await response.json();
      show(outcome.ok, outcome.message, outcome.ok && outcome.errorCode);
      if (outcome.ok) {
        fill(outcome);
        if (position) { position.value = ''; }
        moveHere.classList.add('d-none');
        lastRefused = null;
      } else if (outcome.errorCode === 'stored_elsewhere') {
        lastRefused = code;
        moveHere.classList.remove('d-none');
      }
    } catch {
      show(false, `${code}: no answer from the server. Scan it again.`);
    }
  }

  function submitScan() {
    const code = tube.value.trim();
    tube.value = '';
    tube.focus();
    if (!code) { return; }
    if (mode === 'store' && boxPattern.test(code)) {
      // A box label scanned into the tube field switches the box.
      window.location.href = `/Storage/Scan?box=${encodeURIComponent(code.toUpperCase())}&mode=store`;
      return;
    }
    queue = queue.then(() => send(code, false));
  }

  form.addEventListener('submit', ev => { ev.preventDefault(); submitScan(); });
  tube.addEventListener('keydown', ev => {
    if (ev.key === 'Tab' && !ev.shiftKey) { ev.preventDefault(); submitScan(); }
    if ((ev.key === 'm' || ev.key === 'M') && tube.value === '' && lastRefused) { ev.preventDefault(); const code = lastRefused; lastRefused = null; queue = queue.then(() => send(code, true)); }
  });
  moveHere.addEventListener('click', () => { if (lastRefused) { const code = lastRefused; lastRefused = null; queue = queue.then(() => send(code, true)); } tube.focus(); });
  if (boxInput) {
    boxInput.addEventListener('keydown', ev => {
      if (ev.key === 'Tab' && !ev.shiftKey && boxInput.value.trim()) { ev.preventDefault(); boxInput.form.submit(); }
    });
  }
  // Keep the scanner's keystrokes landing in the tube field after clicks elsewhere.
  document.addEventListener('click', ev => {
    if (!(ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement || ev.target instanceof HTMLAnchorElement)) {
      (boxCode.value || mode !== 'store' ? tube : boxInput || tube).focus();
    }
  });
  (boxCode.value || mode !== 'store' ? tube : boxInput || tube).focus();
})();
