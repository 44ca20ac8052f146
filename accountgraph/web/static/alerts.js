// The alerts list: acknowledge or mute an alert (planners; the write carries the session's CSRF token).
import { request } from "./common.js";

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const section = document.getElementById("ag-alerts");
const status = document.getElementById("ag-alerts-status");
if (section) {
  section.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-alert-do]");
    if (!button) return;
    const row = button.closest("tr[data-alert]");
    button.disabled = true;
    try {
      await request("/web/alerts", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ id: row.dataset.alert, action: button.dataset.alertDo }),
      });
      window.location.reload();
    } catch (error) {
      status.textContent = error.message;
      button.disabled = false;
    }
  });
}
