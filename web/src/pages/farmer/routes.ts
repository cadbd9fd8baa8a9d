import type { RouteDef } from "../../lib/routes";
import "./messages"; // the menu's labels are needed before any page loads

/** The farmer area's pages (the page modules live beside this file), and the price outlook, which
 * anyone may open. */
export const routes: RouteDef[] = [
  { path: "/farm/listings", load: () => import("./MyListings"), roles: ["farmer"], nav: "nav.farm.listings" },
  { path: "/farm/listings/new", load: () => import("./ListingForm"), roles: ["farmer"] },
  { path: "/farm/listings/:id/edit", load: () => import("./ListingForm"), roles: ["farmer"] },
  { path: "/farm/orders", load: () => import("./IncomingOrders"), roles: ["farmer"], nav: "nav.farm.orders" },
  { path: "/farm/earnings", load: () => import("./Earnings"), roles: ["farmer"], nav: "nav.farm.earnings" },
  { path: "/farm/buyers", load: () => import("./BuyersForYou"), roles: ["farmer"], nav: "nav.farm.buyers" },
  { path: "/prices", load: () => import("./Prices"), nav: "nav.prices" },
  { path: "/alerts", load: () => import("./Alerts"), signedIn: true, nav: "nav.alerts" },
];
