import type { RouteDef } from "../../lib/routes";

/** The buyer area's pages (the page modules live beside this file). */
export const routes: RouteDef[] = [];
