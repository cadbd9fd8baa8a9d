import { render } from "preact";
import { App } from "./app";
import { loadMe } from "./lib/auth";
import { loadCatalogue } from "./lib/catalogue";
import { loadConfig } from "./lib/config";
import "./styles.css";

// `/admin` is the admin console's address: the same app, opened on its admin page.
if (location.pathname.replace(/\/$/, "") === "/admin" && !location.hash) {
  history.replaceState(null, "", "/#/admin");
}

async function boot(): Promise<void> {
  await loadConfig();
  const root = document.getElementById("app")!;
  root.replaceChildren(); // the "Soko…" boot text is not Preact's to remove: it stayed under the app
  render(<App />, root);
  void loadCatalogue();
  void loadMe();
}

void boot();

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  window.addEventListener("load", () => void navigator.serviceWorker.register("/sw.js"));
}
