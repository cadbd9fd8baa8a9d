import { register } from "../../lib/i18n";

/** The groups area's menu label: registered with the routes (the shell's first load), not with the
 * lazily loaded pages' words. */
register({
  en: { "nav.groups": "Buying groups" },
  lg: { "nav.groups": "Okugulira awamu" },
});
