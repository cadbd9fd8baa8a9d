/** The API's shapes the transport pages read (docs/openapi.json: Vehicle, Quote, Booking; the
 * contract of issue 17). Money integer UGX, times ISO UTC, days ISO dates. */

export type { Page } from "../../lib/types";

export type VehicleType = "boda_boda" | "bicycle" | "pickup" | "van" | "lorry";
export const VEHICLE_TYPES: VehicleType[] = ["boda_boda", "bicycle", "pickup", "van", "lorry"];

export type Day = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export const WEEK: Day[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export type BookingStatus = "requested" | "accepted" | "picked_up" | "delivered" | "declined" | "cancelled" | "expired";
/** A booking in one of these holds its vehicle's day and is the order's transport. */
export const ACTIVE: BookingStatus[] = ["requested", "accepted", "picked_up"];
export const ENDED: BookingStatus[] = ["delivered", "declined", "cancelled", "expired"];

export interface Vehicle {
  id: string;
  transporter_id: string;
  type: VehicleType;
  plate: string;
  capacity_kg: number;
  districts: string[];
  price_per_km_ugx: number;
  minimum_fare_ugx: number;
  days: Day[];
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface Place {
  district: string;
  lat: number;
  lon: number;
  address?: string | null;
}

export interface Fix {
  lat: number;
  lon: number;
  at: string;
}

export interface Quote {
  id: string;
  vehicle_id: string;
  vehicle_type: VehicleType;
  transporter_id: string;
  transporter_name: string;
  pickup_day: string;
  pickup: Place;
  dropoff: Place;
  distance_km: number;
  weight_kg: number;
  fare_ugx: number;
  expires_at: string;
}

export interface QuoteAnswer {
  order_id: string;
  items: Quote[];
}

export interface BookingStep {
  at: string;
  by: string;
  status: BookingStatus;
  note?: string | null;
}

export interface Booking {
  id: string;
  order_id: string;
  quote_id: string;
  vehicle_id: string;
  vehicle_type: VehicleType;
  plate: string;
  transporter_id: string;
  transporter_name: string;
  buyer_id: string;
  farmer_id: string;
  booked_by: string;
  status: BookingStatus;
  fare_ugx: number;
  distance_km: number;
  weight_kg: number;
  pickup_day: string;
  pickup: Place;
  dropoff: Place;
  answer_by: string;
  created_at: string;
  updated_at: string;
  version: number;
  cancelled_by?: string | null;
  reason?: string | null;
  position?: Fix | null;
  speed_kmh?: number | null;
  eta_minutes?: number | null;
  remaining_km?: number | null;
  arrived_at?: string | null;
  audit: BookingStep[];
  track?: Fix[] | null;
}

/** `POST /transport/bookings/{id}/positions`'s answer. */
export interface PositionAnswer {
  accepted: number;
  dropped: number;
  position?: Fix | null;
  speed_kmh?: number | null;
  eta_minutes?: number | null;
  remaining_km?: number | null;
  arrived: boolean;
}
