import type { RouteDef } from "../../lib/routes";
import "./messages"; // the menu entries are read before any page of the area loads

/** The buyer area's pages (the page modules live beside this file): the market is everyone's
 * (browsing needs no account; ordering asks to sign in), orders and "farmers for you" are buyers'. */
export const routes: RouteDef[] = [
  { path: "/", load: () => import("./Market"), nav: "nav.market" },
  { path: "/listings/:id", load: () => import("./ListingPage") },
  { path: "/orders", load: () => import("./Orders"), roles: ["buyer"], nav: "nav.orders" },
  { path: "/orders/:id", load: () => import("./OrderPage"), roles: ["buyer"] },
  { path: "/for-you", load: () => import("./ForYou"), roles: ["buyer"], nav: "nav.foryou" },
];
