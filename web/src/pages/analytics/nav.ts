import { register } from "../../lib/i18n";

/** The menu's labels of the analytics pages: read by the shell before any of them loads (the
 * pages' own words are in messages.ts, loaded with the pages). */
export const NAV = {
  en: {
    "an.nav.sales": "My sales",
    "an.nav.reports": "Reports",
    "an.nav.market": "Market prices",
  },
  lg: {
    "an.nav.sales": "Bye ntunze",
    "an.nav.reports": "Lipoota",
    "an.nav.market": "Bbeeyi mu katale",
  },
};

register(NAV);
