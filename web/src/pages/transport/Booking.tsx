/** `#/transport/bookings/:id`: one booking, for each of its parties. Everyone sees its status, what
 * it is, where the transporter is (position, speed, ETA, remaining km, arrival) and its audit trail
 * as a timeline, kept current by the live channel (any Transport… push about this booking reloads it)
 * and by a poll while the channel is down. The transporter answers the job (accept, decline), marks
 * the pick-up, hands over with the buyer's PIN and shares the phone's position; the buyer and farmer
 * may cancel while the state allows. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { Button, ErrorMessage, Field, Loading, Page, SavedNotice } from "../../components/ui";
import { api, ApiError, OfflineError } from "../../lib/api";
import { me } from "../../lib/auth";
import { dateTime, kg } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import { liveConnected, onLive } from "../../lib/live";
import { online } from "../../lib/offline";
import { applyLivePosition, canShareLocation, fieldErrorsFor, FixBatcher, liveBookingId, SEND_EVERY_MS, type Step, stepsFor, withPosition } from "./logic";
import { BookingFacts, BookingStatusBadge, Timeline, Tracking } from "./parts";
import { ACTIVE, type Booking, type PositionAnswer } from "./types";

const POLL_MS = 20_000;

function PinForm(props: { booking: Booking; onDone: (booking: Booking) => void; onClose: () => void }) {
  const [pin, setPin] = useState("");
  const deliver = useAction(() => api.post<Booking>(`/transport/bookings/${props.booking.id}/deliver`, { pin }));
  const fieldError = fieldErrorsFor(deliver.error, ["pin"]).pin;
  return (
    <form
      class="tr-pin"
      onSubmit={async (event) => {
        event.preventDefault();
        const done = await deliver.run();
        if (done) props.onDone(done);
      }}
    >
      <Field
        label={t("tr.pin")}
        hint={t("tr.pin.hint")}
        value={pin}
        onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, ""))}
        inputMode="numeric"
        pattern="[0-9]{6}"
        maxLength={6}
        autoComplete="one-time-code"
        required
        error={fieldError}
      />
      <ErrorMessage error={fieldError ? null : deliver.error} />
      <div class="actions">
        <Button type="submit" busy={deliver.busy}>
          {t("tr.pin.submit")}
        </Button>
        <Button kind="secondary" onClick={props.onClose}>
          {t("tr.back")}
        </Button>
      </div>
    </form>
  );
}

function CancelForm(props: { booking: Booking; onDone: (booking: Booking) => void; onClose: () => void }) {
  const [reason, setReason] = useState("");
  const cancel = useAction(() => api.post<Booking>(`/transport/bookings/${props.booking.id}/cancel`, reason.trim() ? { reason: reason.trim() } : {}));
  const fieldError = fieldErrorsFor(cancel.error, ["reason"]).reason;
  return (
    <form
      class="tr-cancel"
      onSubmit={async (event) => {
        event.preventDefault();
        const done = await cancel.run();
        if (done) props.onDone(done);
      }}
    >
      <Field label={t("tr.cancel.reason")} name="reason" maxLength={300} value={reason} error={fieldError} onInput={(e) => setReason(e.currentTarget.value)} />
      <ErrorMessage error={fieldError ? null : cancel.error} />
      <div class="actions">
        <Button type="submit" kind="danger" busy={cancel.busy}>
          {t("tr.cancel.yes")}
        </Button>
        <Button kind="secondary" onClick={props.onClose}>
          {t("tr.cancel.no")}
        </Button>
      </div>
    </form>
  );
}

/** The transporter's phone shares its position: `watchPosition` fixes are batched and posted every
 * ~15 s (the first one at once); offline they wait (the newest kept) and go when the network is back. */
function ShareLocation(props: { booking: Booking; onAnswer: (answer: PositionAnswer) => void; onEnded: () => void }) {
  const { id } = props.booking;
  const [on, setOn] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [sentAt, setSentAt] = useState<number | null>(null);
  const batcher = useRef(new FixBatcher());
  const answer = useRef(props.onAnswer);
  answer.current = props.onAnswer;
  const ended = useRef(props.onEnded);
  ended.current = props.onEnded;

  useEffect(() => {
    if (!on) return;
    if (typeof navigator === "undefined" || !navigator.geolocation) {
      setProblem(t("tr.share.unsupported"));
      setOn(false);
      return;
    }
    setProblem(null);
    let sending = false;
    let first = true;
    const flush = async () => {
      if (sending || batcher.current.size === 0) return;
      sending = true;
      const batch = batcher.current.take();
      try {
        const got = await api.post<PositionAnswer>(`/transport/bookings/${id}/positions`, { fixes: batch });
        setError(null);
        setSentAt(Date.now());
        answer.current(got);
      } catch (err) {
        const later = err instanceof OfflineError || (err instanceof ApiError && (err.status === 429 || err.status >= 500));
        // offline has its own notice, and a batch sent too soon simply goes with the next one
        if (!(err instanceof OfflineError) && !(err instanceof ApiError && err.status === 429)) setError(err as Error);
        if (later) {
          batcher.current.putBack(batch); // sent later
        } else if (err instanceof ApiError && err.status !== 422) {
          setOn(false); // the job is no longer one to track (delivered, cancelled) or not this user's
          ended.current();
        }
      } finally {
        sending = false;
      }
    };
    const watch = navigator.geolocation.watchPosition(
      (position) => {
        batcher.current.add(position);
        setProblem(null);
        if (first) {
          first = false;
          void flush();
        }
      },
      (err) => {
        if (err.code === 1) {
          setProblem(t("tr.share.denied"));
          setOn(false);
        } else setProblem(t("tr.share.unavailable"));
      },
      { enableHighAccuracy: true, maximumAge: 5_000, timeout: 60_000 },
    );
    const timer = setInterval(() => void flush(), SEND_EVERY_MS);
    return () => {
      navigator.geolocation.clearWatch(watch);
      clearInterval(timer);
      void flush(); // what was gathered last goes too
    };
  }, [on, id]);

  return (
    <section class="tr-share" aria-labelledby="tr-share-title">
      <h2 id="tr-share-title">{t("tr.share.title")}</h2>
      <Button kind={on ? "secondary" : "primary"} aria-pressed={on} onClick={() => setOn(!on)}>
        {t("tr.share.toggle")}
      </Button>
      <p class="muted" role="status">
        {on ? (sentAt ? t("tr.share.sent", { when: dateTime(new Date(sentAt), lang.value) }) : t("tr.share.on")) : t("tr.share.off")}
      </p>
      {on && !online.value && (
        <p class="notice" role="status">
          {t("offline.action")} {t("tr.share.kept")}
        </p>
      )}
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}

const STEP_LABEL: Record<Step, string> = {
  accept: "tr.step.accept",
  decline: "tr.step.decline",
  pickup: "tr.step.pickup",
  deliver: "tr.step.deliver",
  cancel: "tr.step.cancel",
};

export default function BookingPage(props: { id: string }) {
  // kept for offline use: a driver out of coverage still sees where to go and what to carry
  const loaded = useAsync((signal) => api.get<Booking>(`/transport/bookings/${props.id}`, { signal }), [props.id], `tr.booking.${props.id}`);
  const [fresh, setFresh] = useState<Booking | null>(null);
  const booking = fresh && fresh.id === props.id && (!loaded.data || fresh.version > loaded.data.version || (fresh.version === loaded.data.version && fresh.updated_at >= loaded.data.updated_at)) ? fresh : loaded.data;
  const { reload } = loaded;
  const [open, setOpen] = useState<"deliver" | "cancel" | null>(null);

  // Live: a position moves the marker at once; any other push about this booking (a step, the
  // arrival) reads the booking again.
  const shown = useRef<Booking | undefined>(undefined);
  shown.current = booking;
  useEffect(
    () =>
      onLive((message) => {
        if (liveBookingId(message) !== props.id) return;
        if (message.event === "TransportPositionUpdated") {
          const moved = shown.current && applyLivePosition(shown.current, message);
          if (moved) setFresh(moved);
          return;
        }
        reload();
      }),
    [props.id, reload],
  );
  const active = !!booking && ACTIVE.includes(booking.status);
  useEffect(() => {
    if (!active) return;
    // without the live channel, read every POLL_MS; with it, now and then too (a push may be lost)
    let tick = 0;
    const timer = setInterval(() => {
      tick++;
      if (document.visibilityState === "visible" && (!liveConnected.value || tick % 3 === 0)) reload();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [active, reload]);

  const step = useAction(async (which: "accept" | "decline" | "pickup") => {
    const moved = await api.post<Booking>(`/transport/bookings/${props.id}/${which}`);
    if (moved && typeof moved === "object" && "status" in moved) setFresh({ ...moved, track: moved.track ?? booking?.track });
    reload();
  });
  const onPosition = useCallback(
    (answer: PositionAnswer) => {
      if (booking) setFresh(withPosition(booking, answer, new Date().toISOString()));
    },
    [booking],
  );
  const done = (moved: Booking) => {
    setOpen(null);
    setFresh({ ...moved, track: moved.track ?? booking?.track });
    reload();
  };

  const user = me.value;
  const isTransporter = !!booking && booking.transporter_id === user?.id;
  const title = booking && isTransporter ? t("tr.job.title", { kg: kg(booking.weight_kg), from: booking.pickup.district, to: booking.dropoff.district }) : t("tr.booking.title");
  if (!booking) {
    return (
      <Page title={title}>
        {loaded.error ? <ErrorMessage error={loaded.error} /> : <Loading />}
      </Page>
    );
  }
  const steps = stepsFor(booking, user ? { id: user.id, role: user.role } : null);
  return (
    <Page title={title}>
      <p>
        {isTransporter ? (
          <Link href="/transport/jobs">{t("tr.jobs.back")}</Link>
        ) : user?.id === booking.buyer_id ? (
          <Link href={`/orders/${booking.order_id}`}>{t("tr.order.back")}</Link>
        ) : user?.id === booking.farmer_id ? (
          <Link href="/farm/orders">{t("tr.order.back")}</Link>
        ) : null}
      </p>
      <SavedNotice savedAt={loaded.savedAt} />
      <p class="tr-state" aria-live="polite">
        {t("tr.order.status")}: <BookingStatusBadge value={booking.status} />
      </p>
      <BookingFacts booking={booking} />
      {steps.length > 0 && (
        <div class="actions">
          {steps.map((s) =>
            s === "deliver" || s === "cancel" ? (
              <Button key={s} kind={s === "cancel" ? "danger" : "primary"} aria-expanded={open === s} onClick={() => setOpen(open === s ? null : s)}>
                {t(STEP_LABEL[s])}
              </Button>
            ) : (
              <Button key={s} kind={s === "decline" ? "danger" : "primary"} busy={step.busy} onClick={() => void step.run(s)}>
                {t(STEP_LABEL[s])}
              </Button>
            ),
          )}
        </div>
      )}
      <ErrorMessage error={step.error} />
      {open === "deliver" && steps.includes("deliver") && <PinForm booking={booking} onDone={done} onClose={() => setOpen(null)} />}
      {open === "cancel" && steps.includes("cancel") && <CancelForm booking={booking} onDone={done} onClose={() => setOpen(null)} />}
      {canShareLocation(booking, user?.id) && <ShareLocation booking={booking} onAnswer={onPosition} onEnded={reload} />}
      {booking.status !== "requested" && !["declined", "expired"].includes(booking.status) && <Tracking booking={booking} />}
      <Timeline booking={booking} />
    </Page>
  );
}
