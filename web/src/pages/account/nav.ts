import { register } from "../../lib/i18n";

/** The account area's menu labels: registered with the routes (the shell's first load), not with the
 * lazily loaded pages' words. */
register({
  en: {
    "acct.nav.signin": "Sign in",
    "acct.nav.signup": "Sign up",
    "acct.nav.profile": "My profile",
    "acct.nav.notifications": "Notifications",
    "acct.nav.messages": "Messages",
  },
  lg: {
    "acct.nav.signin": "Yingira",
    "acct.nav.signup": "Wewandiise",
    "acct.nav.profile": "Ebikwata ku nze",
    "acct.nav.notifications": "Obubaka obukumanyisa",
    "acct.nav.messages": "Obubaka",
  },
});
