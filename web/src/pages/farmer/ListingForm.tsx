/** `#/farm/listings/new` and `#/farm/listings/:id/edit`: list produce (`POST /listings/`), change it
 * (`PUT /listings/{id}`: title, quantity, price, description, harvest date, volume price tiers; crop
 * and district are fixed once listed), withdraw it (`DELETE`), and add photos (presigned upload,
 * with progress). */
import { useState } from "preact/hooks";
import { useLocation } from "wouter-preact";
import { Button, ErrorMessage, Field, Loading, Page, Select, TextArea } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { me } from "../../lib/auth";
import { catalogue, cropName } from "../../lib/catalogue";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import type { Listing as PlainListing } from "./types";
import { Photos } from "./Photos";
import { TiersEditor } from "./TiersEditor";
import { sameTiers, tierDrafts, tierProblem, tiersBody, type TierDraft } from "../groups/tiers";
import type { TieredListing } from "../groups/types";

type Listing = PlainListing & Pick<TieredListing, "price_tiers">;
import "./farmer.css";

interface Draft {
  title: string;
  crop: string;
  quantity_kg: string;
  price_per_kg: string;
  district: string;
  description: string;
  harvest_date: string;
  /** volume price tiers (issue 18) as typed */
  tiers?: TierDraft[];
}

function draftOf(listing: Listing | undefined, district: string): Draft {
  return {
    title: listing?.title ?? "",
    crop: listing?.crop ?? "",
    quantity_kg: listing ? String(Number(listing.quantity_kg)) : "",
    price_per_kg: listing ? String(listing.price_per_kg) : "",
    district: listing?.district ?? district,
    description: listing?.description ?? "",
    harvest_date: listing?.harvest_date ?? "",
    tiers: tierDrafts(listing?.price_tiers),
  };
}

/** The listing as the API takes it: numbers as numbers, empty optional fields left out (or null,
 * to clear them, when editing). Tiers are sent when there are some on a new listing, and on an edit
 * when they changed (`[]` clears them). */
export function listingBody(draft: Draft, editing: boolean, originalTiers: TierDraft[] = []): Record<string, unknown> {
  const optional = (value: string) => (value.trim() ? value.trim() : editing ? null : undefined);
  const body: Record<string, unknown> = {
    title: draft.title.trim(),
    quantity_kg: Number(draft.quantity_kg),
    price_per_kg: Number(draft.price_per_kg),
    description: optional(draft.description),
    harvest_date: optional(draft.harvest_date),
  };
  const tiers = draft.tiers ?? [];
  if (editing ? !sameTiers(tiers, originalTiers) : tiers.length > 0) body.price_tiers = tiersBody(tiers);
  if (!editing) {
    body.crop = draft.crop.trim();
    body.district = draft.district.trim();
  }
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

function Form(props: { listing?: Listing; created?: boolean; onSaved: (listing: Listing) => void }) {
  const editing = !!props.listing;
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.listing, String(me.value?.district ?? "")));
  const [key] = useState(newIdempotencyKey);
  const [notice, setNotice] = useState<string | null>(props.created ? t("farm.listing.created") : null);
  const set = (name: keyof Draft) => (event: Event) => setDraft((d) => ({ ...d, [name]: (event.currentTarget as HTMLInputElement).value }));
  const save = useAction(async (body: Record<string, unknown>) =>
    editing
      ? api.put<Listing>(`/listings/${props.listing!.id}`, body)
      : api.post<Listing>("/listings/", body, { idempotencyKey: key }),
  );
  const errors = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const [tierError, setTierError] = useState<string | null>(null);
  const cat = catalogue.value;
  const crops = cat?.crops ?? [];
  const districts = cat?.districts ?? [];

  async function submit(event: Event) {
    event.preventDefault();
    setNotice(null);
    const problem = tierProblem(draft.tiers ?? []);
    setTierError(problem ? t(problem.key, problem.vars) : null);
    if (problem) return;
    const saved = await save.run(listingBody(draft, editing, tierDrafts(props.listing?.price_tiers)));
    if (saved) {
      if (editing) setNotice(t("farm.listing.saved"));
      props.onSaved(saved);
    }
  }

  return (
    <form onSubmit={submit} noValidate={false}>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <Field label={t("farm.listing.titleField")} hint={t("farm.listing.titleHint")} value={draft.title} onInput={set("title")} required maxLength={120} error={errors.title} />
      {editing ? (
        <p class="muted">{t("farm.listing.fixed", { crop: cropName(props.listing!.crop), district: props.listing!.district })}</p>
      ) : crops.length ? (
        <Select
          label={t("farm.listing.crop")}
          value={draft.crop}
          onChange={set("crop")}
          required
          placeholder={t("farm.listing.cropPick")}
          options={crops.map((c) => ({ value: c.id, label: lang.value === "lg" ? `${c.luganda} (${c.name})` : c.name }))}
          error={errors.crop}
        />
      ) : (
        <Field label={t("farm.listing.crop")} value={draft.crop} onInput={set("crop")} required maxLength={60} error={errors.crop} />
      )}
      <div class="row">
        <Field label={t("farm.listing.quantity")} type="number" inputMode="decimal" min={0} step="any" value={draft.quantity_kg} onInput={set("quantity_kg")} required error={errors.quantity_kg} />
        <Field label={t("farm.listing.price")} type="number" inputMode="numeric" min={1} step={1} value={draft.price_per_kg} onInput={set("price_per_kg")} required error={errors.price_per_kg} />
      </div>
      {!editing &&
        (districts.length ? (
          <Select label={t("farm.listing.district")} value={draft.district} onChange={set("district")} required placeholder={t("farm.listing.districtPick")} options={districts.map((d) => ({ value: d.name, label: d.name }))} error={errors.district} />
        ) : (
          <Field label={t("farm.listing.district")} value={draft.district} onInput={set("district")} required maxLength={40} autoComplete="address-level2" error={errors.district} />
        ))}
      <TiersEditor
        tiers={draft.tiers ?? []}
        price={Number(draft.price_per_kg) || 0}
        onChange={(tiers) => {
          setTierError(null);
          setDraft((d) => ({ ...d, tiers }));
        }}
        error={tierError ?? errors.price_tiers ?? errors.min_kg ?? errors.discount_percent}
      />
      <Field label={t("farm.listing.harvest")} type="date" value={draft.harvest_date} onInput={set("harvest_date")} error={errors.harvest_date} />
      <TextArea label={t("farm.listing.description")} value={draft.description} onInput={set("description")} maxLength={2000} rows={4} error={errors.description} />
      <ErrorMessage error={save.error} />
      <Button type="submit" busy={save.busy}>
        {editing ? t("farm.listing.save") : t("farm.listing.submit")}
      </Button>
    </form>
  );
}

function Withdraw(props: { listing: Listing; onDone: () => void }) {
  const withdraw = useAction(async () => {
    await api.delete<void>(`/listings/${props.listing.id}`);
    return true;
  });
  return (
    <div class="actions">
      <ErrorMessage error={withdraw.error} />
      <Button kind="danger" busy={withdraw.busy} onClick={async () => (await withdraw.run()) && props.onDone()}>
        {t("farm.listing.withdraw")}
      </Button>
    </div>
  );
}

/** The listing just created here: its edit page says so (and invites photos). */
let justCreated: string | null = null;

export default function ListingForm(props: { id?: string }) {
  const [, navigate] = useLocation();
  if (!props.id) {
    return (
      <Page title={t("farm.listing.new.title")}>
        <Form
          onSaved={(listing) => {
            justCreated = listing.id;
            navigate(`/farm/listings/${listing.id}/edit`, { replace: true });
          }}
        />
      </Page>
    );
  }
  return <Edit id={props.id} created={justCreated === props.id} />;
}

function Edit(props: { id: string; created: boolean }) {
  const [, navigate] = useLocation();
  const listing = useAsync((signal) => api.get<Listing>(`/listings/${encodeURIComponent(props.id)}`, { signal }), [props.id]);
  const [current, setCurrent] = useState<Listing | null>(null);
  const shown = current ?? listing.data;
  return (
    <Page title={t("farm.listing.edit.title")}>
      <ErrorMessage error={listing.error} />
      {!shown && listing.loading && <Loading />}
      {shown && (
        <>
          <Form key={shown.id} listing={shown} created={props.created} onSaved={setCurrent} />
          <Photos
            listing={shown}
            onChange={() => {
              setCurrent(null);
              listing.reload();
            }}
          />
          {shown.status !== "deleted" && <Withdraw listing={shown} onDone={() => navigate("/farm/listings")} />}
        </>
      )}
    </Page>
  );
}
