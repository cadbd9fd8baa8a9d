import { describe, expect, it } from "vitest";
import { ApiError } from "../src/lib/api";
import { groupJobs } from "../src/pages/transport/Jobs";
import { applyLivePosition, BATCH_MAX, canShareLocation, distanceText, etaText, FixBatcher, fieldErrorsFor, KEEP_MAX, liveBookingId, mapLink, speedText, stepsFor, trackPoints, vehicleBody, withPosition } from "../src/pages/transport/logic";
import { currentBooking } from "../src/pages/transport/OrderTransport";
import "../src/pages/transport/messages";
import type { Booking, BookingStatus } from "../src/pages/transport/types";

const parties = { transporter_id: "T", buyer_id: "B", farmer_id: "F" };
const at = (status: BookingStatus) => ({ ...parties, status });

describe("steps a booking's state allows", () => {
  const transporter = { id: "T", role: "transporter" };
  it("lets the transporter answer, pick up, deliver, and cancel an accepted job", () => {
    expect(stepsFor(at("requested"), transporter)).toEqual(["accept", "decline"]);
    expect(stepsFor(at("accepted"), transporter)).toEqual(["pickup", "cancel"]);
    expect(stepsFor(at("picked_up"), transporter)).toEqual(["deliver"]);
    for (const s of ["delivered", "declined", "cancelled", "expired"] as BookingStatus[]) expect(stepsFor(at(s), transporter)).toEqual([]);
  });
  it("lets the buyer and the farmer cancel while requested or accepted only", () => {
    for (const user of [{ id: "B", role: "buyer" }, { id: "F", role: "farmer" }]) {
      expect(stepsFor(at("requested"), user)).toEqual(["cancel"]);
      expect(stepsFor(at("accepted"), user)).toEqual(["cancel"]);
      expect(stepsFor(at("picked_up"), user)).toEqual([]);
      expect(stepsFor(at("delivered"), user)).toEqual([]);
    }
  });
  it("lets an admin cancel any active booking, and nobody else anything", () => {
    expect(stepsFor(at("picked_up"), { id: "A", role: "admin" })).toEqual(["cancel"]);
    expect(stepsFor(at("expired"), { id: "A", role: "admin" })).toEqual([]);
    expect(stepsFor(at("requested"), { id: "X", role: "buyer" })).toEqual([]);
    expect(stepsFor(at("requested"), null)).toEqual([]);
  });
  it("shares the location only for the transporter, accepted or picked up", () => {
    expect(canShareLocation(at("accepted"), "T")).toBe(true);
    expect(canShareLocation(at("picked_up"), "T")).toBe(true);
    expect(canShareLocation(at("requested"), "T")).toBe(false);
    expect(canShareLocation(at("delivered"), "T")).toBe(false);
    expect(canShareLocation(at("accepted"), "B")).toBe(false);
    expect(canShareLocation(at("accepted"), undefined)).toBe(false);
  });
});

const position = (ms: number, lat = 2.77, lon = 32.3, accuracy: number | null = 12.4) => ({ coords: { latitude: lat, longitude: lon, accuracy }, timestamp: ms });

describe("batching GPS fixes", () => {
  it("sends fixes oldest first with their time in UTC, rounded, without duplicates", () => {
    const b = new FixBatcher();
    b.add(position(Date.UTC(2026, 11, 2, 10, 0, 30), 2.123456789, 32.987654321));
    b.add(position(Date.UTC(2026, 11, 2, 10, 0, 0)));
    b.add(position(Date.UTC(2026, 11, 2, 10, 0, 0))); // the same fix twice (watchPosition repeats)
    b.add(position(Date.UTC(2026, 11, 2, 10, 1, 0), 2.1, 32.9, null));
    expect(b.size).toBe(3);
    const batch = b.take();
    expect(batch.map((f) => f.at)).toEqual(["2026-12-02T10:00:00.000Z", "2026-12-02T10:00:30.000Z", "2026-12-02T10:01:00.000Z"]);
    expect(batch[1]).toEqual({ lat: 2.123457, lon: 32.987654, at: "2026-12-02T10:00:30.000Z", accuracy_m: 12 });
    expect("accuracy_m" in batch[2]).toBe(false);
    expect(b.size).toBe(0);
  });
  it("takes at most the API's batch size, and puts an unsent batch back in front", () => {
    const b = new FixBatcher();
    for (let i = 0; i < BATCH_MAX + 20; i++) b.add(position(1_800_000_000_000 + i * 1000));
    const first = b.take();
    expect(first).toHaveLength(BATCH_MAX);
    b.add(position(1_800_000_000_000 + 999_000));
    b.putBack(first); // offline: sent later, in order
    const again = b.take();
    expect(again[0]).toEqual(first[0]);
    expect(again).toHaveLength(BATCH_MAX);
    expect(b.take()).toHaveLength(21);
  });
  it("keeps only the newest fixes when offline for long", () => {
    const b = new FixBatcher();
    for (let i = 0; i < KEEP_MAX + 50; i++) b.add(position(1_800_000_000_000 + i * 1000));
    expect(b.size).toBe(KEEP_MAX);
    expect(b.take()[0].at).toBe(new Date(1_800_000_000_000 + 50_000).toISOString());
  });
  it("sends the accuracy as a positive whole number of metres, or not at all", () => {
    const b = new FixBatcher();
    b.add(position(1_800_000_000_000, 2, 32, 0.3));
    b.add(position(1_800_000_001_000, 2, 32, 0));
    const [fine, none] = b.take();
    expect(fine.accuracy_m).toBe(1);
    expect("accuracy_m" in none).toBe(false);
  });
  it("ignores a fix without coordinates", () => {
    const b = new FixBatcher();
    b.add(position(1_800_000_000_000, Number.NaN, 32));
    expect(b.size).toBe(0);
  });
});

describe("writing ETA, distance and speed", () => {
  it("writes the ETA in minutes and hours, in English and Luganda", () => {
    expect(etaText(0.4, "en")).toBe("under a minute");
    expect(etaText(12, "en")).toBe("12 min");
    expect(etaText(60, "en")).toBe("1 h");
    expect(etaText(65, "en")).toBe("1 h 5 min");
    expect(etaText(12, "lg")).toBe("edakiika 12");
    expect(etaText(125, "lg")).toBe("essaawa 2 n'edakiika 5");
    expect(etaText(null)).toBe("–");
    expect(etaText(-3)).toBe("–");
  });
  it("writes distances in metres below a km, one decimal below 10 km", () => {
    expect(distanceText(0.35)).toBe("350 m");
    expect(distanceText(3.44)).toBe("3.4 km");
    expect(distanceText(9.96)).toBe("10 km");
    expect(distanceText(336.6)).toBe("337 km");
    expect(distanceText(1234)).toBe("1,234 km");
    expect(distanceText(undefined)).toBe("–");
    expect(speedText(41.6)).toBe("42 km/h");
    expect(speedText(null)).toBe("–");
  });
  it("links the position on OpenStreetMap", () => {
    expect(mapLink({ lat: 2.7746, lon: 32.29899 })).toBe("https://www.openstreetmap.org/?mlat=2.77460&mlon=32.29899#map=15/2.77460/32.29899");
  });
  it("draws the track north up inside the box", () => {
    const shape = trackPoints(
      [
        { lat: 0, lon: 0, at: "a" },
        { lat: 1, lon: 0, at: "b" },
      ],
      { lat: 1, lon: 1 },
      100,
      100,
      0,
    );
    expect(shape?.line).toBe("0,100 0,0");
    expect(shape?.goal).toEqual([100, 0]);
    expect(trackPoints([{ lat: 0, lon: 0, at: "a" }], null, 100, 100)).toBeNull();
  });
});

describe("the vehicle form", () => {
  it("sends numbers as numbers, districts split, days in week order", () => {
    expect(vehicleBody({ type: "pickup", plate: " uab 123c ", capacity_kg: "1,500", districts: "Gulu, Kampala ,", price_per_km_ugx: "1200", minimum_fare_ugx: "20000", days: ["sun", "mon"] })).toEqual({
      type: "pickup",
      plate: "uab 123c",
      capacity_kg: 1500,
      districts: ["Gulu", "Kampala"],
      price_per_km_ugx: 1200,
      minimum_fare_ugx: 20000,
      days: ["mon", "sun"],
    });
    expect(vehicleBody({ type: "", plate: "", capacity_kg: "lots", districts: "", price_per_km_ugx: "", minimum_fare_ugx: "", days: [] }).capacity_kg).toBe("lots");
  });
  it("puts each of the API's problems beside its field", () => {
    const err = new ApiError(422, "VALIDATION_ERROR", "Invalid", {
      fields: [
        { field: "body.districts.1", message: "not a Ugandan district we know" },
        { field: "body.plate", message: "a Ugandan number plate, e.g. UAB 123C" },
        { field: "body.days", message: "at least 1 item" },
      ],
    });
    expect(fieldErrorsFor(err, ["plate", "districts", "days"])).toEqual({ districts: "not a Ugandan district we know", plate: "a Ugandan number plate, e.g. UAB 123C", days: "at least 1 item" });
    expect(fieldErrorsFor(new ApiError(409, "PLATE_TAKEN", "That plate is registered", { field: "plate" }), ["plate"])).toEqual({ plate: "That plate is registered" });
    expect(fieldErrorsFor(new Error("x"), ["plate"])).toEqual({});
  });
});

describe("live messages about a booking", () => {
  it("finds the booking of a Transport… push, whatever the envelope", () => {
    expect(liveBookingId({ type: "TransportPositionUpdated", booking_id: "b1" })).toBe("b1");
    expect(liveBookingId({ type: "transport", detail_type: "TransportArrived", detail: { booking_id: "b2" } })).toBe("b2");
    expect(liveBookingId({ type: "TransportAccepted", booking: { id: "b3" } })).toBe("b3");
    expect(liveBookingId({ type: "notification", notification: { data: { booking_id: "b4" } } })).toBe("b4");
  });
  it("reads the realtime push of a step (type transport, the event, booking_id)", () => {
    expect(liveBookingId({ type: "transport", event: "TransportAccepted", booking_id: "b5", order_id: "o1" })).toBe("b5");
  });
  it("moves the position with a live push, never back in time", () => {
    const booking = { id: "b1", position: { lat: 1, lon: 1, at: "2026-12-02T10:00:00Z" }, speed_kmh: 10, eta_minutes: 50, remaining_km: 9, track: [{ lat: 1, lon: 1, at: "2026-12-02T10:00:00Z" }] } as unknown as Booking;
    const push = { type: "transport", event: "TransportPositionUpdated", booking_id: "b1", lat: 1.01, lon: 1.02, at: "2026-12-02T10:00:30Z", speed_kmh: 30, eta_minutes: 20, remaining_km: 8.5 };
    const moved = applyLivePosition(booking, push);
    expect(moved?.position).toEqual({ lat: 1.01, lon: 1.02, at: "2026-12-02T10:00:30Z" });
    expect([moved?.speed_kmh, moved?.eta_minutes, moved?.remaining_km, moved?.track?.length]).toEqual([30, 20, 8.5, 2]);
    expect(applyLivePosition(moved!, { ...push, at: "2026-12-02T10:00:10Z" })).toBeNull(); // late
    expect(applyLivePosition(booking, { ...push, booking_id: "other" })).toBeNull();
    expect(applyLivePosition(booking, { ...push, event: "TransportAccepted" })).toBeNull();
  });
  it("ignores other messages", () => {
    expect(liveBookingId({ type: "message", booking_id: "b1" })).toBeNull();
    expect(liveBookingId({ type: "notification", notification: { data: { order_id: "o1" } } })).toBeNull();
    expect(liveBookingId({})).toBeNull();
  });
});

describe("bookings of an order", () => {
  const b = (id: string, status: BookingStatus) => ({ id, status }) as Booking;
  it("shows the active booking, else the latest", () => {
    expect(currentBooking([b("1", "declined"), b("2", "accepted")])?.id).toBe("2");
    expect(currentBooking([b("1", "declined"), b("2", "expired")])?.id).toBe("1");
    expect(currentBooking([])).toBeNull();
  });
  it("groups a transporter's jobs: to answer, to pick up, on the way, finished", () => {
    const groups = groupJobs([b("1", "delivered"), b("2", "requested"), b("3", "picked_up"), b("4", "cancelled")]);
    expect(groups.map((g) => [g.key, g.items.map((i) => i.id)])).toEqual([
      ["requested", ["2"]],
      ["picked_up", ["3"]],
      ["ended", ["1", "4"]],
    ]);
  });
  it("shows a position post's answer on the booking, arrival once", () => {
    const base = { position: null, speed_kmh: null, eta_minutes: null, remaining_km: null, arrived_at: null };
    const next = withPosition(base, { position: { lat: 1, lon: 2, at: "t" }, speed_kmh: 30, eta_minutes: 12, remaining_km: 5, arrived: true }, "now");
    expect(next).toEqual({ position: { lat: 1, lon: 2, at: "t" }, speed_kmh: 30, eta_minutes: 12, remaining_km: 5, arrived_at: "now" });
    expect(withPosition({ ...next, arrived_at: "before" }, { arrived: true }, "later").arrived_at).toBe("before");
  });
});
