import { register } from "../../lib/i18n";

/** The coops area's menu label: registered with the routes (the shell's first load). */
register({
  en: { "nav.coops": "My co-ops" },
  lg: { "nav.coops": "Obwegassi bwange" },
});
