// Print labels: shows the input of the chosen source only and puts the cursor there for the scanner.
// The form works without this file (every input is then visible).
(() => {
  const form = document.getElementById('labels-form');
  if (!form) { return; }
  const sources = form.querySelectorAll('input[name=Source]');
  const blocks = form.querySelectorAll('.label-source');
  const template = document.getElementById('Template');
  const show = (focus) => {
    const chosen = form.querySelector('input[name=Source]:checked')?.value;
    blocks.forEach(b => {
      const on = b.dataset.source.split(' ').includes(chosen);
      b.classList.toggle('d-none', !on);
      if (on && focus) { b.querySelector('textarea, input')?.focus(); }
    });
    return chosen;
  };
  sources.forEach(r => r.addEventListener('change', () => {
    const chosen = show(true);
    // A box's own label has its own template; tube labels default to the cryovial one.
    if (template) {
      const wanted = chosen === 'box' ? 'box' : (template.value === 'box' ? 'cryovial-2d' : template.value);
      if ([...template.options].some(o => o.value === wanted)) { template.value = wanted; }
    }
  }));
  show(false);
  const printer = document.getElementById('PrinterId');
  if (printer) {
    printer.addEventListener('change', () => { document.getElementById('output-printer').checked = true; });
  }
})();
