import type { RouteDef } from "../../lib/routes";
import "./nav";

/** The bulk-buying groups (issue 18): a buyer's groups with the recommended ones, and a group's page.
 * (The listing page's "Buy together" is part of the buyer area's listing page.) */
export const routes: RouteDef[] = [
  { path: "/groups", load: () => import("./Groups"), roles: ["buyer"], nav: "nav.groups" },
  { path: "/groups/:id", load: () => import("./GroupView"), signedIn: true },
];
