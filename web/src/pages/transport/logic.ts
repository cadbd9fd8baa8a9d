/** The transport pages' own logic, kept apart from the components so unit tests cover it: which
 * steps a booking's state allows whom, batching GPS fixes for the API, and writing distances, speeds
 * and ETAs. */
import { ApiError } from "../../lib/api";
import { type Lang, t } from "../../lib/i18n";
import type { LiveMessage } from "../../lib/live";
import { ACTIVE, type Booking, type BookingStatus, type Day, type Fix, type Place, type VehicleType, WEEK } from "./types";

export type Step = "accept" | "decline" | "pickup" | "deliver" | "cancel";

interface Parties {
  status: BookingStatus;
  transporter_id: string;
  buyer_id: string;
  farmer_id: string;
}

/** The steps the API lets `user` take on a booking now (the contract of issue 17): the transporter
 * accepts or declines a request, picks up an accepted job, delivers with the buyer's PIN, and may
 * cancel an accepted job; the order's buyer or farmer cancel while requested or accepted; admins
 * cancel any active booking. */
export function stepsFor(booking: Parties, user: { id: string; role: string } | null): Step[] {
  if (!user) return [];
  const out: Step[] = [];
  const { status } = booking;
  if (user.id === booking.transporter_id) {
    if (status === "requested") out.push("accept", "decline");
    if (status === "accepted") out.push("pickup", "cancel");
    if (status === "picked_up") out.push("deliver");
    return out;
  }
  if (user.id === booking.buyer_id || user.id === booking.farmer_id) {
    return status === "requested" || status === "accepted" ? ["cancel"] : [];
  }
  return user.role === "admin" && ACTIVE.includes(status) ? ["cancel"] : [];
}

/** The transporter's phone shares its position while the job is accepted or picked up. */
export function canShareLocation(booking: Parties, userId: string | undefined): boolean {
  return !!userId && userId === booking.transporter_id && (booking.status === "accepted" || booking.status === "picked_up");
}

export interface OutFix {
  lat: number;
  lon: number;
  at: string;
  accuracy_m?: number;
}

export const BATCH_MAX = 100; // the API takes 1-100 fixes a call
export const KEEP_MAX = 500; // offline, the newest fixes are kept (older ones matter less)
export const SEND_EVERY_MS = 15_000;

/** GPS fixes waiting to be posted: de-duplicated by time, oldest first, at most `KEEP_MAX` kept
 * (when offline for long, the oldest go), taken in batches of at most `BATCH_MAX`; a batch that
 * could not be sent is put back in front. */
export class FixBatcher {
  private fixes: OutFix[] = [];

  add(position: { coords: { latitude: number; longitude: number; accuracy?: number | null }; timestamp: number }): void {
    const { latitude, longitude, accuracy } = position.coords;
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return;
    const fix: OutFix = { lat: round(latitude, 6), lon: round(longitude, 6), at: new Date(position.timestamp).toISOString() };
    // the API takes a positive radius (a fix worse than 100 m is dropped there, not here)
    if (accuracy !== undefined && accuracy !== null && Number.isFinite(accuracy) && accuracy > 0) fix.accuracy_m = Math.max(1, Math.round(accuracy));
    this.merge([fix]);
  }

  /** The next batch (oldest first), removed from the queue. */
  take(): OutFix[] {
    return this.fixes.splice(0, BATCH_MAX);
  }

  /** Put a batch that was not sent back (it keeps its place before newer fixes). */
  putBack(batch: OutFix[]): void {
    this.merge(batch);
  }

  get size(): number {
    return this.fixes.length;
  }

  clear(): void {
    this.fixes = [];
  }

  private merge(more: OutFix[]): void {
    const byTime = new Map(this.fixes.map((f) => [f.at, f]));
    for (const f of more) if (!byTime.has(f.at)) byTime.set(f.at, f);
    this.fixes = [...byTime.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(-KEEP_MAX);
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** "12 km", "3.4 km", "800 m". */
export function distanceText(km: number | null | undefined): string {
  if (km === null || km === undefined || !Number.isFinite(km) || km < 0) return "–";
  if (km < 1) return `${Math.round(km * 100) * 10} m`;
  const tenths = Math.round(km * 10) / 10;
  if (tenths < 10) return `${tenths.toFixed(1)} km`;
  return `${Math.round(km).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")} km`;
}

export function speedText(kmh: number | null | undefined): string {
  if (kmh === null || kmh === undefined || !Number.isFinite(kmh) || kmh < 0) return "–";
  return `${Math.round(kmh)} km/h`;
}

/** "under a minute", "12 min", "1 h 5 min" (and in Luganda). */
export function etaText(minutes: number | null | undefined, language?: Lang): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes) || minutes < 0) return "–";
  const whole = Math.round(minutes);
  if (whole < 1) return t("tr.eta.now", {}, language);
  if (whole < 60) return t("tr.eta.min", { m: whole }, language);
  const h = Math.floor(whole / 60);
  const m = whole % 60;
  return m ? t("tr.eta.hmin", { h, m }, language) : t("tr.eta.h", { h }, language);
}

/** The position on OpenStreetMap (a link: nothing is loaded until the user opens it). */
export function mapLink(fix: { lat: number; lon: number }): string {
  const lat = fix.lat.toFixed(5);
  const lon = fix.lon.toFixed(5);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=15/${lat}/${lon}`;
}

export function placeText(place: Place): string {
  return place.address ? `${place.address}, ${place.district}` : place.district;
}

/** The track (and the drop-off) as an SVG polyline's points inside a `width` x `height` box,
 * north up, with a margin; null with fewer than two points. */
export function trackPoints(track: Fix[], dropoff: { lat: number; lon: number } | null, width: number, height: number, margin = 8): { line: string; end: [number, number] | null; goal: [number, number] | null } | null {
  if (track.length < 2) return null;
  const all = dropoff ? [...track, dropoff] : track;
  const lats = all.map((p) => p.lat);
  const lons = all.map((p) => p.lon);
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  // one scale for both axes (longitude shrunk by the latitude's cosine), so the shape is not bent
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * kx, 1e-9);
  const spanY = Math.max(maxLat - minLat, 1e-9);
  const scale = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY);
  const at = (p: { lat: number; lon: number }): [number, number] => [
    Math.round((margin + (p.lon - minLon) * kx * scale) * 10) / 10,
    Math.round((height - margin - (p.lat - minLat) * scale) * 10) / 10,
  ];
  const points = track.map(at);
  return { line: points.map(([x, y]) => `${x},${y}`).join(" "), end: points[points.length - 1], goal: dropoff ? at(dropoff) : null };
}

export interface VehicleDraft {
  type: VehicleType | "";
  plate: string;
  capacity_kg: string;
  districts: string;
  price_per_km_ugx: string;
  minimum_fare_ugx: string;
  days: Day[];
}

function num(text: string): number | string {
  const clean = text.replace(/[\s,]/g, "");
  return clean !== "" && /^\d+$/.test(clean) ? Number(clean) : text.trim();
}

/** The form as `POST /transport/vehicles` takes it: numbers as numbers (what is not a number is
 * sent as typed, so the API names the field), districts split on commas, days in week order. */
export function vehicleBody(draft: VehicleDraft): Record<string, unknown> {
  return {
    type: draft.type,
    plate: draft.plate.trim(),
    capacity_kg: num(draft.capacity_kg),
    districts: draft.districts
      .split(",")
      .map((d) => d.trim())
      .filter(Boolean),
    price_per_km_ugx: num(draft.price_per_km_ugx),
    minimum_fare_ugx: num(draft.minimum_fare_ugx),
    days: WEEK.filter((d) => draft.days.includes(d)),
  };
}

/** A 422's problems keyed by the form's field they belong to: `body.districts.1` is the districts
 * field's (ApiError.fieldErrors keys it "1"); a domain error naming its field (`details.field`) too. */
export function fieldErrorsFor(error: Error | null | undefined, fields: string[]): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  const details = error.details as { fields?: { field?: string; message?: string }[]; field?: unknown };
  for (const f of Array.isArray(details.fields) ? details.fields : []) {
    const name = (f.field ?? "").split(".").find((part) => fields.includes(part));
    if (name && f.message && !(name in out)) out[name] = f.message;
  }
  if (typeof details.field === "string" && fields.includes(details.field) && !(details.field in out)) out[details.field] = error.message;
  return out;
}

/** The booking a live message is about, if it is about transport: the realtime pushes of the
 * logistics events (`{type: "transport", event: "TransportAccepted", booking_id, ...}`; an envelope
 * with the event in `detail`/`event`/`booking` is understood too), and a notification whose data
 * names a booking. */
export function liveBookingId(message: LiveMessage): string | null {
  const type = typeof message.type === "string" ? message.type : "";
  const fromObject = (o: unknown): string | null => {
    if (!o || typeof o !== "object") return null;
    const r = o as Record<string, unknown>;
    const id = r.booking_id ?? (typeof r.booking === "object" && r.booking ? (r.booking as Record<string, unknown>).id : undefined);
    return typeof id === "string" && id ? id : null;
  };
  if (type === "notification") {
    const data = (message.notification as { data?: unknown } | undefined)?.data;
    return fromObject(data);
  }
  const detailType = typeof message.detail_type === "string" ? message.detail_type : typeof message["detail-type"] === "string" ? (message["detail-type"] as string) : "";
  if (!/^transport/i.test(type) && !/^Transport/.test(detailType)) return null;
  return fromObject(message) ?? fromObject(message.detail) ?? fromObject(message.event) ?? fromObject(message.data);
}

/** The booking shown with what a position post answered (until the next read brings it). */
export function withPosition<B extends Pick<Booking, "position" | "speed_kmh" | "eta_minutes" | "remaining_km" | "arrived_at">>(booking: B, answer: { position?: Fix | null; speed_kmh?: number | null; eta_minutes?: number | null; remaining_km?: number | null; arrived: boolean }, now: string): B {
  return {
    ...booking,
    position: answer.position ?? booking.position,
    speed_kmh: answer.speed_kmh ?? booking.speed_kmh,
    eta_minutes: answer.eta_minutes ?? booking.eta_minutes,
    remaining_km: answer.remaining_km ?? booking.remaining_km,
    arrived_at: booking.arrived_at ?? (answer.arrived ? now : null),
  };
}

/** A live position push (`event: "TransportPositionUpdated"` with `lat`, `lon`, `at`, speed, ETA,
 * remaining km) applied to the booking shown, without a read; null when the message is not one, or
 * is older than the position shown (pushes may arrive out of order). */
export function applyLivePosition(booking: Booking, message: LiveMessage): Booking | null {
  if (message.event !== "TransportPositionUpdated" || message.booking_id !== booking.id) return null;
  const { lat, lon, at } = message as { lat?: unknown; lon?: unknown; at?: unknown };
  if (typeof lat !== "number" || typeof lon !== "number" || typeof at !== "string") return null;
  if (booking.position && Date.parse(booking.position.at) >= Date.parse(at)) return null;
  const num = (v: unknown): number | null | undefined => (typeof v === "number" ? v : v === null ? null : undefined);
  const fix = { lat, lon, at };
  return {
    ...booking,
    position: fix,
    speed_kmh: num(message.speed_kmh) ?? booking.speed_kmh,
    eta_minutes: num(message.eta_minutes) ?? booking.eta_minutes,
    remaining_km: num(message.remaining_km) ?? booking.remaining_km,
    track: booking.track ? [...booking.track, fix] : booking.track,
  };
}
