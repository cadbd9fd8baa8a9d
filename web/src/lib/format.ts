/** How Soko writes money, quantities and times: UGX with thousands separators and no decimals
 * ("UGX 1,925"), kilograms, and East Africa Time whatever the device's zone. */
import type { Lang } from "./i18n";

export const TIME_ZONE = "Africa/Kampala";

export function ugx(amount: number | null | undefined): string {
  if (amount === null || amount === undefined || Number.isNaN(amount)) return "–";
  const rounded = Math.round(amount);
  const digits = Math.abs(rounded).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${rounded < 0 ? "-" : ""}UGX ${digits}`;
}

export function perKg(amount: number | null | undefined): string {
  return `${ugx(amount)}/kg`;
}

export function kg(quantity: number | null | undefined): string {
  if (quantity === null || quantity === undefined) return "–";
  const text = Number.isInteger(quantity) ? quantity.toString() : quantity.toFixed(1);
  return `${text.replace(/\B(?=(\d{3})+(?!\d))/g, ",")} kg`;
}

const MONTHS: Record<Lang, string[]> = {
  en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  lg: ["Jan", "Feb", "Mar", "Apu", "Maa", "Jun", "Jul", "Agu", "Seb", "Oki", "Nov", "Des"],
};

function parts(value: string | Date): Record<string, string> {
  const date = typeof value === "string" ? new Date(value) : value;
  const out: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat("en-GB", {
    timeZone: TIME_ZONE,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date)) {
    out[p.type] = p.value;
  }
  return out;
}

/** "2 Dec 2026" in East Africa Time. */
export function date(value: string | Date | null | undefined, lang: Lang = "en"): string {
  if (!value) return "–";
  const p = parts(value);
  return `${Number(p.day)} ${MONTHS[lang][Number(p.month) - 1]} ${p.year}`;
}

/** "2 Dec 2026, 14:05 EAT". */
export function dateTime(value: string | Date | null | undefined, lang: Lang = "en"): string {
  if (!value) return "–";
  const p = parts(value);
  return `${date(value, lang)}, ${p.hour}:${p.minute} EAT`;
}

/** A phone shown masked: +256 7•• ••• 456. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return "–";
  return phone.length > 6 ? `${phone.slice(0, 5)}•••••${phone.slice(-3)}` : "•••";
}
