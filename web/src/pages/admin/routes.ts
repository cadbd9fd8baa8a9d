import { register } from "../../lib/i18n";
import type { RouteDef } from "../../lib/routes";

// The menu entry is read by the shell before any admin page loads: its label lives here, the
// pages' own words in messages.ts (loaded with the pages).
register({ en: { "admin.nav": "Admin" }, lg: { "admin.nav": "Abaddukanya" } });

const admin = ["admin"] as RouteDef["roles"];

/** The admin console (role admin only; each page a chunk of its own). */
export const routes: RouteDef[] = [
  { path: "/admin", load: () => import("./Dashboard"), roles: admin, nav: "admin.nav" },
  { path: "/admin/flags", load: () => import("./Flags"), roles: admin },
  { path: "/admin/disputes", load: () => import("./Disputes"), roles: admin },
  { path: "/admin/disputes/:id", load: () => import("./Dispute"), roles: admin },
  { path: "/admin/payments", load: () => import("./Payments"), roles: admin },
  { path: "/admin/users", load: () => import("./Users"), roles: admin },
  { path: "/admin/listings", load: () => import("./Listings"), roles: admin },
  { path: "/admin/audit", load: () => import("./Audit"), roles: admin },
  { path: "/admin/health", load: () => import("./Health"), roles: admin },
];
