// Progressive enhancement only: every form works without this file.
document.querySelectorAll('[data-confirm]').forEach(el => {
  el.addEventListener('click', ev => {
    if (!window.confirm(el.getAttribute('data-confirm'))) { ev.preventDefault(); }
  });
});
