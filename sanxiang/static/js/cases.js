// Case page: show a refused transition (4xx with a Chinese message) in the stage panel
// instead of dropping it, as htmx does with error responses by default.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status < 400 || status >= 500) return;
  const box = document.getElementById("transition-errors");
  if (!box) return;
  event.detail.shouldSwap = true;
  event.detail.isError = false;
  event.detail.target = box;
  event.detail.swapOverride = "innerHTML";
});
