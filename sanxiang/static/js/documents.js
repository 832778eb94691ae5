// Documents panel: when the case stage shown on the case page changes (an htmx transition),
// reload the panel so it offers the documents of the new stage. The panel loads this file
// itself, hence the guard against adding the listener twice.
if (!window.sxDocumentsPanel) {
  window.sxDocumentsPanel = true;
  document.body.addEventListener("htmx:afterSettle", () => {
    const panel = document.getElementById("documents-panel");
    const badge = document.querySelector("[data-testid=current-stage]");
    if (!panel || !badge || badge.dataset.stage === panel.dataset.stage) return;
    panel.dataset.stage = badge.dataset.stage;
    htmx.trigger(panel, "sx-stage-changed");
  });
}
