/** `#/transport/vehicles`: the transporter's vehicles (`GET /transport/vehicles`) and registering
 * one (`POST /transport/vehicles`: type, plate, capacity, districts served, price per km, minimum
 * fare, working days; the API's problems shown beside their fields). A vehicle can be taken off
 * and put back on offer (`PATCH /transport/vehicles/{id} {active}`). */
import { useId, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, Empty, ErrorMessage, Field, Loading, Page, Select } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { me } from "../../lib/auth";
import { kg, ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import { fieldErrorsFor, vehicleBody, type VehicleDraft } from "./logic";
import { vehicleLabel } from "./parts";
import { type Page as ListPage, type Vehicle, VEHICLE_TYPES, WEEK } from "./types";

const FIELDS = ["type", "plate", "capacity_kg", "districts", "price_per_km_ugx", "minimum_fare_ugx", "days"];

function emptyDraft(): VehicleDraft {
  const home = typeof me.value?.district === "string" ? me.value.district : "";
  return { type: "", plate: "", capacity_kg: "", districts: home, price_per_km_ugx: "", minimum_fare_ugx: "", days: [...WEEK] };
}

function VehicleForm(props: { onAdded: (vehicle: Vehicle) => void }) {
  const [draft, setDraft] = useState<VehicleDraft>(emptyDraft);
  const [key, setKey] = useState(newIdempotencyKey);
  const id = useId();
  const add = useAction(async () => {
    const made = await api.post<Vehicle>("/transport/vehicles", vehicleBody(draft), { idempotencyKey: key });
    setDraft(emptyDraft());
    setKey(newIdempotencyKey());
    props.onAdded(made);
  });
  const errors = fieldErrorsFor(add.error, FIELDS);
  if (add.error instanceof ApiError && add.error.code === "PLATE_TAKEN") errors.plate = add.error.message;
  const set = (name: keyof VehicleDraft) => (e: Event) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value });
  const toggleDay = (day: VehicleDraft["days"][number], on: boolean) => setDraft({ ...draft, days: on ? [...draft.days, day] : draft.days.filter((d) => d !== day) });
  const shown = Object.keys(errors).length > 0;
  return (
    <form
      class="tr-vehicle-form"
      aria-labelledby={`${id}-h`}
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <h2 id={`${id}-h`}>{t("tr.vehicles.add")}</h2>
      <Select label={t("tr.vehicles.type")} name="type" value={draft.type} required placeholder={t("tr.vehicles.type.pick")} options={VEHICLE_TYPES.map((v) => ({ value: v, label: vehicleLabel(v) }))} error={errors.type} onChange={set("type")} />
      <Field label={t("tr.vehicles.plate")} hint={t("tr.vehicles.plate.hint")} name="plate" required maxLength={12} autoComplete="off" value={draft.plate} error={errors.plate} onInput={set("plate")} />
      <Field label={t("tr.vehicles.capacity")} name="capacity_kg" required inputMode="numeric" value={draft.capacity_kg} error={errors.capacity_kg} onInput={set("capacity_kg")} />
      <Field label={t("tr.vehicles.districts")} hint={t("tr.vehicles.districts.hint")} name="districts" required value={draft.districts} error={errors.districts} onInput={set("districts")} />
      <Field label={t("tr.vehicles.perKm")} name="price_per_km_ugx" required inputMode="numeric" value={draft.price_per_km_ugx} error={errors.price_per_km_ugx} onInput={set("price_per_km_ugx")} />
      <Field label={t("tr.vehicles.minimum")} name="minimum_fare_ugx" required inputMode="numeric" value={draft.minimum_fare_ugx} error={errors.minimum_fare_ugx} onInput={set("minimum_fare_ugx")} />
      <fieldset class="tr-days" aria-describedby={errors.days ? `${id}-days-error` : undefined}>
        <legend>{t("tr.vehicles.days")}</legend>
        {WEEK.map((day) => (
          <label key={day} class="tr-day">
            <input type="checkbox" name="days" value={day} checked={draft.days.includes(day)} onChange={(e) => toggleDay(day, e.currentTarget.checked)} />
            {t(`tr.day.${day}`)}
          </label>
        ))}
        {errors.days && (
          <small id={`${id}-days-error`} class="field-error">
            {errors.days}
          </small>
        )}
      </fieldset>
      <ErrorMessage error={shown ? null : add.error} />
      {shown && (
        <p class="error" role="alert">
          {t("tr.vehicles.fix")}
        </p>
      )}
      <Button type="submit" busy={add.busy}>
        {t("tr.vehicles.submit")}
      </Button>
    </form>
  );
}

function VehicleCard(props: { vehicle: Vehicle; onChange: (vehicle: Vehicle) => void }) {
  const { vehicle } = props;
  const id = useId();
  const flip = useAction(async () => props.onChange(await api.patch<Vehicle>(`/transport/vehicles/${vehicle.id}`, { active: !vehicle.active })));
  return (
    <li class="card tr-vehicle" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        {vehicleLabel(vehicle.type)} · {vehicle.plate}
      </h3>
      <p>{vehicle.active ? t("tr.vehicles.active") : t("tr.vehicles.paused")}</p>
      <dl class="tr-facts">
        <dt>{t("tr.vehicles.capacity")}</dt>
        <dd>{kg(vehicle.capacity_kg)}</dd>
        <dt>{t("tr.vehicles.districts.short")}</dt>
        <dd>{vehicle.districts.join(", ")}</dd>
        <dt>{t("tr.vehicles.perKm")}</dt>
        <dd>{ugx(vehicle.price_per_km_ugx)}</dd>
        <dt>{t("tr.vehicles.minimum")}</dt>
        <dd>{ugx(vehicle.minimum_fare_ugx)}</dd>
        <dt>{t("tr.vehicles.days")}</dt>
        <dd>{vehicle.days.length === 7 ? t("tr.vehicles.everyDay") : vehicle.days.map((d) => t(`tr.day.${d}`)).join(", ")}</dd>
      </dl>
      <Button kind="secondary" busy={flip.busy} onClick={() => void flip.run()}>
        {vehicle.active ? t("tr.vehicles.pause") : t("tr.vehicles.resume")}
      </Button>
      <ErrorMessage error={flip.error} />
    </li>
  );
}

export default function Vehicles() {
  const userId = me.value?.id ?? "";
  const list = useAsync((signal) => api.get<ListPage<Vehicle>>("/transport/vehicles", { query: { limit: 50 }, signal }), [userId], `tr.vehicles.${userId}`);
  const [changed, setChanged] = useState<Record<string, Vehicle>>({});
  const [added, setAdded] = useState<Vehicle[]>([]);
  const listed = list.data?.items ?? [];
  const seen = new Set(listed.map((v) => v.id));
  const vehicles = [...added.filter((v) => !seen.has(v.id)), ...listed].map((v) => changed[v.id] ?? v);
  return (
    <Page title={t("tr.vehicles.title")}>
      <p>
        <Link href="/transport/jobs">{t("tr.nav.jobs")}</Link>
      </p>
      <ErrorMessage error={list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : vehicles.length ? (
        <ul class="cards tr-vehicles" aria-label={t("tr.vehicles.title")}>
          {vehicles.map((v) => (
            <VehicleCard key={v.id} vehicle={v} onChange={(n) => setChanged({ ...changed, [n.id]: n })} />
          ))}
        </ul>
      ) : (
        list.data && <Empty>{t("tr.vehicles.none")}</Empty>
      )}
      <VehicleForm onAdded={(v) => setAdded([v, ...added])} />
    </Page>
  );
}
