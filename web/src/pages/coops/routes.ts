import type { RouteDef } from "../../lib/routes";
import "./nav";

/** The cooperatives (issue 18): a farmer's co-ops, commitments, allocations and earnings, and a
 * co-op's page (a manager's members, pool, pooled listings and allocations; a member's own part). */
export const routes: RouteDef[] = [
  { path: "/coops", load: () => import("./Coops"), roles: ["farmer"], nav: "nav.coops" },
  { path: "/coops/:id", load: () => import("./CoopPage"), roles: ["farmer", "admin"] },
];
