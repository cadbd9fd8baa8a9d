import type { RouteDef } from "../../lib/routes";
import "./nav";

/** The account area's pages (the page modules live beside this file). `/signin` and `/signup` are
 * in the menu when signed out; the menu hides them once signed in. */
export const routes: RouteDef[] = [
  { path: "/signin", load: () => import("./SignIn"), nav: "acct.nav.signin" },
  { path: "/signup", load: () => import("./SignUp"), nav: "acct.nav.signup" },
  { path: "/forgot", load: () => import("./Forgot") },
  { path: "/reset", load: () => import("./Reset") },
  { path: "/messages", load: () => import("./Conversations"), signedIn: true, nav: "acct.nav.messages" },
  { path: "/messages/new/:to", load: () => import("./NewMessage"), signedIn: true },
  { path: "/messages/new/:to/:listing", load: () => import("./NewMessage"), signedIn: true },
  { path: "/messages/:id", load: () => import("./Thread"), signedIn: true },
  { path: "/notifications", load: () => import("./Notifications"), signedIn: true, nav: "acct.nav.notifications" },
  { path: "/notifications/settings", load: () => import("./NotificationSettings"), signedIn: true },
  { path: "/profile", load: () => import("./Profile"), signedIn: true, nav: "acct.nav.profile" },
];
