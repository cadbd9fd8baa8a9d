import type { RouteDef } from "../../lib/routes";

/** The admin area's pages (the page modules live beside this file). */
export const routes: RouteDef[] = [];
