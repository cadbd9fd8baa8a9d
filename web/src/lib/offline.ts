import { signal } from "@preact/signals";

/** Whether the browser thinks it is online; an API call that fails on the network sets it false. */
export const online = signal(typeof navigator === "undefined" ? true : navigator.onLine);

if (typeof window !== "undefined") {
  window.addEventListener("online", () => (online.value = true));
  window.addEventListener("offline", () => (online.value = false));
}

export interface Saved<T> {
  value: T;
  savedAt: string; // ISO time it was fetched
}

const PREFIX = "soko.saved.";
const MAX_ENTRIES = 40;

/** The last answer of a public read (listings, prices), kept so they can be shown offline. */
export function save<T>(key: string, value: T): void {
  try {
    const entry: Saved<T> = { value, savedAt: new Date().toISOString() };
    localStorage.setItem(PREFIX + key, JSON.stringify(entry));
    const keys = Object.keys(localStorage).filter((k) => k.startsWith(PREFIX));
    if (keys.length > MAX_ENTRIES) {
      const oldest = keys
        .map((k) => [k, (JSON.parse(localStorage.getItem(k) ?? "{}") as Saved<unknown>).savedAt ?? ""] as const)
        .sort((a, b) => a[1].localeCompare(b[1]))
        .slice(0, keys.length - MAX_ENTRIES);
      for (const [k] of oldest) localStorage.removeItem(k);
    }
  } catch {
    // storage full or disabled: offline copies are a convenience
  }
}

export function saved<T>(key: string): Saved<T> | null {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw ? (JSON.parse(raw) as Saved<T>) : null;
  } catch {
    return null;
  }
}
