// aidhub's only script: a select marked data-autosubmit submits its form when it changes
// (no inline handlers, so the Content-Security-Policy can forbid inline scripts).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) {
    el.form.submit();
  }
});
