/** `#/transport/jobs`: the transporter's jobs (`GET /transport/bookings`, the caller's), grouped by
 * status (new requests to answer first), or one status (`?status=`); each opens its booking page.
 * A live push about a job or a notification naming one reloads the list. */
import { useEffect, useId, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, Empty, ErrorMessage, Loading, Page, SavedNotice, Select } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { dateTime, kg, ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { liveConnected, onLive } from "../../lib/live";
import { liveBookingId } from "./logic";
import { BookingStatusBadge, dayText, vehicleLabel } from "./parts";
import { ACTIVE, type Booking, type BookingStatus, ENDED, type Page as ListPage } from "./types";

const POLL_MS = 30_000;
const GROUPS: { key: string; statuses: BookingStatus[] }[] = [
  { key: "requested", statuses: ["requested"] },
  { key: "accepted", statuses: ["accepted"] },
  { key: "picked_up", statuses: ["picked_up"] },
  { key: "ended", statuses: ENDED },
];

/** Jobs grouped for the list: to answer, to pick up, on the way, finished (each newest first). */
export function groupJobs(items: Booking[]): { key: string; items: Booking[] }[] {
  return GROUPS.map((g) => ({ key: g.key, items: items.filter((b) => g.statuses.includes(b.status)) })).filter((g) => g.items.length);
}

function JobCard(props: { job: Booking }) {
  const { job } = props;
  const id = useId();
  return (
    <li class="card tr-job" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        <Link href={`/transport/bookings/${job.id}`}>{t("tr.job.title", { kg: kg(job.weight_kg), from: job.pickup.district, to: job.dropoff.district })}</Link>
      </h3>
      <p>
        <BookingStatusBadge value={job.status} />
      </p>
      <dl class="tr-facts">
        <dt>{t("tr.pickupDay")}</dt>
        <dd>{dayText(job.pickup_day)}</dd>
        <dt>{t("tr.fare")}</dt>
        <dd>{ugx(job.fare_ugx)}</dd>
        <dt>{t("tr.vehicle")}</dt>
        <dd>
          {vehicleLabel(job.vehicle_type)} · {job.plate}
        </dd>
        {job.status === "requested" && (
          <>
            <dt>{t("tr.answerBy")}</dt>
            <dd>{dateTime(job.answer_by, lang.value)}</dd>
          </>
        )}
      </dl>
    </li>
  );
}

export default function Jobs() {
  const userId = me.value?.id ?? "";
  const [status, setStatus] = useState("");
  const first = useAsync((signal) => api.get<ListPage<Booking>>("/transport/bookings", { query: { status, limit: 50 }, signal }), [userId, status], `tr.jobs.${userId}.${status}`);
  const [more, setMore] = useState<{ items: Booking[]; cursor: string | null } | null>(null);
  useEffect(() => setMore(null), [first.data]);
  const { reload } = first;
  useEffect(() => {
    const stop = onLive((message) => {
      if (liveBookingId(message)) reload();
    });
    const poll = setInterval(() => !liveConnected.value && document.visibilityState === "visible" && reload(), POLL_MS);
    return () => {
      stop();
      clearInterval(poll);
    };
  }, [reload]);
  const loadMore = useAction(async () => {
    const cursor = more ? more.cursor : first.data?.next_cursor;
    const page = await api.get<ListPage<Booking>>("/transport/bookings", { query: { status, limit: 50, cursor } });
    setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.next_cursor });
  });

  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.cursor : first.data?.next_cursor;
  const options = [{ value: "", label: t("tr.jobs.all") }, ...[...ACTIVE, ...ENDED].map((s) => ({ value: s, label: t(`tr.status.${s}`) }))];
  return (
    <Page title={t("tr.jobs.title")}>
      <p>
        <Link href="/transport/vehicles">{t("tr.nav.vehicles")}</Link>
      </p>
      <Select label={t("tr.jobs.show")} name="status" value={status} options={options} onChange={(e) => setStatus(e.currentTarget.value)} />
      <SavedNotice savedAt={first.savedAt} />
      <ErrorMessage error={first.error} />
      {first.loading && !first.data ? (
        <Loading />
      ) : first.data && !items.length ? (
        <Empty>{t("tr.jobs.none")}</Empty>
      ) : (
        groupJobs(items).map((g) => (
          <section key={g.key} aria-labelledby={`tr-group-${g.key}`}>
            <h2 id={`tr-group-${g.key}`}>{t(`tr.jobs.group.${g.key}`)}</h2>
            <ul class="cards tr-jobs">
              {g.items.map((job) => (
                <JobCard key={job.id} job={job} />
              ))}
            </ul>
          </section>
        ))
      )}
      {cursor && (
        <Button kind="secondary" busy={loadMore.busy} onClick={() => void loadMore.run()}>
          {t("tr.more")}
        </Button>
      )}
      <ErrorMessage error={loadMore.error} />
    </Page>
  );
}
