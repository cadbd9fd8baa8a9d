import type { RouteDef } from "../../lib/routes";
import "./nav"; // the menu's labels are needed before any page loads

/** The analytics area (issue 20): a farmer's sales, reports (anyone signed in: farmers their sales
 * and payouts, everyone market prices; admins everyone's and the weekly ones), and the public
 * market intelligence. The admin dashboard's numbers are a panel of #/admin (MetricsPanel). */
export const routes: RouteDef[] = [
  { path: "/farm/sales", load: () => import("./MySales"), roles: ["farmer"], nav: "an.nav.sales" },
  { path: "/reports", load: () => import("./Reports"), signedIn: true, nav: "an.nav.reports" },
  { path: "/admin/reports", load: () => import("./AdminReports"), roles: ["admin"] },
  { path: "/market/prices", load: () => import("./MarketPrices"), nav: "an.nav.market" },
];
