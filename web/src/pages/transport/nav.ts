import { register } from "../../lib/i18n";

/** The transport area's menu labels: registered with the routes (the shell's first load), not with
 * the lazily loaded pages' words. */
register({
  en: {
    "tr.nav.jobs": "My jobs",
    "tr.nav.vehicles": "My vehicles",
  },
  lg: {
    "tr.nav.jobs": "Emirimu gyange",
    "tr.nav.vehicles": "Ebidduka byange",
  },
});
