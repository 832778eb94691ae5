// Sanxiang's small behaviours. No inline scripts (the CSP forbids them).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("meta[name=csrf-token]");
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) window.print();
});
// A date typed in Chinese order (年-月-日) whatever the browser's language: a text field marked
// data-sx-date gets a calendar button that opens the native picker and writes 2026-12-03 back.
function sxDatePickers(root) {
  root.querySelectorAll("input[data-sx-date]:not([data-sx-ready])").forEach((field) => {
    field.dataset.sxReady = "1";
    const picker = document.createElement("input");
    picker.type = "date";
    picker.tabIndex = -1;
    picker.className = "sx-date-picker";
    picker.setAttribute("aria-hidden", "true");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary";
    button.title = "选择日期";
    button.setAttribute("aria-label", "选择日期");
    button.innerHTML = '<i class="bi bi-calendar3"></i>';
    button.addEventListener("click", () => {
      if (/^\d{4}-\d{2}-\d{2}$/.test(field.value)) picker.value = field.value;
      if (picker.showPicker) picker.showPicker(); else picker.click();
    });
    picker.addEventListener("change", () => { field.value = picker.value; });
    field.after(button, picker);
  });
}
document.addEventListener("DOMContentLoaded", () => sxDatePickers(document));
document.addEventListener("htmx:load", (event) => sxDatePickers(event.target));
