import type { ComponentType } from "preact";
import type { Role } from "./auth";

/** One page: its hash path (wouter syntax, e.g. "/listings/:id"), its lazily loaded module (one
 * chunk per page keeps the first load small), who may open it, and its place in the menu. */
export interface RouteDef {
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  load: () => Promise<{ default: ComponentType<any> }>;
  /** Signed-in users with one of these roles ("both" counts as farmer and buyer); absent: anyone. */
  roles?: Role[];
  /** Signed in, whatever the role. */
  signedIn?: boolean;
  /** A menu entry: the i18n key of its label. */
  nav?: string;
}
