import type { RouteDef } from "../../lib/routes";
import "./nav";

/** The transport area (issue 17): a transporter's vehicles and jobs, and the booking view every
 * party of a booking shares (the buyer and the farmer arrange transport from their order's page). */
export const routes: RouteDef[] = [
  { path: "/transport/jobs", load: () => import("./Jobs"), roles: ["transporter"], nav: "tr.nav.jobs" },
  { path: "/transport/vehicles", load: () => import("./Vehicles"), roles: ["transporter"], nav: "tr.nav.vehicles" },
  { path: "/transport/bookings/:id", load: () => import("./Booking"), signedIn: true },
];
