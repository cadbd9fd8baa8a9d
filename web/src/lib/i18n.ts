/** English and Luganda. Each area registers its own messages (`register({en: {...}, lg: {...}})`)
 * next to its pages; a key missing in Luganda falls back to English, and a unit test fails when
 * any registered key lacks a Luganda text. */
import { signal } from "@preact/signals";

export type Lang = "en" | "lg";
export const LANGS: Lang[] = ["en", "lg"];
export type Messages = Record<string, string>;

const dictionaries: Record<Lang, Messages> = { en: {}, lg: {} };

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem("soko.lang");
    if (stored === "en" || stored === "lg") return stored;
  } catch {
    // no storage
  }
  return typeof navigator !== "undefined" && navigator.language?.startsWith("lg") ? "lg" : "en";
}

export const lang = signal<Lang>(typeof window === "undefined" ? "en" : initialLang());

export function setLang(value: Lang): void {
  lang.value = value;
  try {
    localStorage.setItem("soko.lang", value);
  } catch {
    // no storage
  }
  if (typeof document !== "undefined") document.documentElement.lang = value;
}

export function register(messages: Record<Lang, Messages>): void {
  Object.assign(dictionaries.en, messages.en);
  Object.assign(dictionaries.lg, messages.lg);
}

/** Keys registered in English with no Luganda text (the i18n unit test asserts it is empty). */
export function missingLuganda(): string[] {
  return Object.keys(dictionaries.en).filter((k) => !(k in dictionaries.lg));
}

/** `t("orders.count", {n: 3})`: the text in the current language with `{n}` filled in. */
export function t(key: string, vars: Record<string, string | number> = {}, language: Lang = lang.value): string {
  const text = dictionaries[language][key] ?? dictionaries.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in vars ? String(vars[name]) : `{${name}}`));
}
