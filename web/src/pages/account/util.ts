/** Small helpers the account pages share. */
import { useLocation, useSearch } from "wouter-preact";
import { ApiError } from "../../lib/api";

/** Problems to show beside their fields: a 422's `details.fields`, and a domain error that names
 * its field (`details.field`: a weak password, a phone taken, a wrong code). */
export function fieldErrorsOf(error: Error | null | undefined): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out = error.fieldErrors();
  const field = (error.details as { field?: unknown }).field;
  if (typeof field === "string" && !(field in out)) out[field] = error.message;
  if ("fullName" in out && !("full_name" in out)) out.full_name = out.fullName;
  return out;
}

/** A query parameter of the hash route: `?next=` lands in `location.search` when wouter's Link
 * navigates, and stays inside the hash when a link is typed or pasted (`#/signin?next=/orders`). */
export function useParam(name: string): string | null {
  const search = useSearch();
  const fromSearch = new URLSearchParams(search).get(name);
  if (fromSearch) return fromSearch;
  const hash = typeof location !== "undefined" ? location.hash : "";
  const q = hash.indexOf("?");
  return q >= 0 ? new URLSearchParams(hash.slice(q + 1)).get(name) : null;
}

/** Where to go after signing in: a path inside the app only (never another site). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/signin")) return "/";
  return next;
}

/** Navigate to an app path and drop any `?query` the previous page left in the address. */
export function useGo(): (path: string) => void {
  const [, navigate] = useLocation();
  return (path: string) => navigate(path.includes("?") ? path : `${path}?`);
}

/** "maize, beans" <-> ["maize", "beans"]. */
export function splitTags(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The phone or e-mail address a reset code was asked for, kept for the next step (this tab only). */
export const RESET_PHONE = "soko.reset.phone";

/** What the user typed to name their account: an e-mail address (it has an "@") or a phone. */
export function accountId(value: string): { email: string } | { phone: string } {
  const typed = value.trim();
  return typed.includes("@") ? { email: typed } : { phone: typed.replace(/[\s-]/g, "") };
}
