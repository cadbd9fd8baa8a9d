import { useEffect, useState } from "preact/hooks";
import { Button, ErrorMessage, Field, Loading, Page } from "../../components/ui";
import { api } from "../../lib/api";
import { useAction } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import "./messages";
import "./account.css";

const CATEGORIES = ["orders", "payments", "disputes", "alerts", "digest", "weather", "account"] as const;
const CHANNELS = ["sms", "web_push", "mobile_push", "email"] as const;
type Category = (typeof CATEGORIES)[number];
type ChannelName = (typeof CHANNELS)[number];
type Choice = Record<ChannelName, boolean>;

interface Preferences {
  categories: Record<Category, Choice>;
  quiet_hours: { start: string; end: string } | null;
}

/** The Push API wants the VAPID key as bytes; the API gives it base64url. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Turn on notifications in this browser: permission, a Push API subscription with Soko's VAPID
 * key, and the subscription handed to `POST /notifications/push/subscriptions`. */
async function subscribeThisDevice(): Promise<string> {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "unsupported";
  }
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return "denied";
  const { public_key } = await api.get<{ public_key: string }>("/notifications/push/key");
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: keyBytes(public_key),
  });
  await api.post("/notifications/push/subscriptions", subscription.toJSON());
  return "on_done";
}

/** Notification settings: per kind of news, the channels (besides the app's own list), quiet hours
 * (East Africa Time), and turning on notifications in this browser. */
export default function NotificationSettings() {
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [quiet, setQuiet] = useState(false);
  const [start, setStart] = useState("22:00");
  const [end, setEnd] = useState("06:00");
  const [saved, setSaved] = useState(false);
  const [device, setDevice] = useState<string | null>(null);

  const load = useAction(async () => {
    const got = await api.get<Preferences>("/notifications/preferences");
    setPrefs(got);
    setQuiet(got.quiet_hours !== null);
    if (got.quiet_hours) {
      setStart(got.quiet_hours.start);
      setEnd(got.quiet_hours.end);
    }
  });
  useEffect(() => void load.run(), []);

  const save = useAction(async () => {
    if (!prefs) return;
    const body = { categories: prefs.categories, quiet_hours: quiet ? { start, end } : null };
    setPrefs(await api.put<Preferences>("/notifications/preferences", body));
    setSaved(true);
  });
  const turnOn = useAction(async () => setDevice(await subscribeThisDevice()));

  function toggle(category: Category, channel: ChannelName, on: boolean) {
    setSaved(false);
    setPrefs((old) =>
      old ? { ...old, categories: { ...old.categories, [category]: { ...old.categories[category], [channel]: on } } } : old,
    );
  }

  return (
    <Page title={t("acct.nset.title")}>
      <section aria-labelledby="nset-device">
        <h2 id="nset-device">{t("acct.nset.device")}</h2>
        <p>{t("acct.nset.device.hint")}</p>
        <Button kind="secondary" busy={turnOn.busy} onClick={() => void turnOn.run()}>
          {t("acct.nset.device.on")}
        </Button>
        {device && (
          <p role="status" class="notice">
            {t(`acct.nset.device.${device}`)}
          </p>
        )}
        <ErrorMessage error={turnOn.error} />
      </section>
      {prefs === null && !load.error && <Loading />}
      <ErrorMessage error={load.error} />
      {prefs && (
        <form
          class="acct-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save.run();
          }}
        >
          <p>{t("acct.nset.always")}</p>
          {CATEGORIES.map((category) => (
            <fieldset key={category} class="nset-category">
              <legend>{t(`acct.nset.cat.${category}`)}</legend>
              {CHANNELS.map((channel) => (
                <label key={channel} class="nset-check">
                  <input
                    type="checkbox"
                    checked={prefs.categories[category][channel]}
                    onChange={(event) => toggle(category, channel, (event.target as HTMLInputElement).checked)}
                  />
                  {t(`acct.nset.ch.${channel}`)}
                </label>
              ))}
            </fieldset>
          ))}
          <fieldset class="nset-category">
            <legend>{t("acct.nset.quiet")}</legend>
            <p class="hint">{t("acct.nset.quiet.hint")}</p>
            <label class="nset-check">
              <input
                type="checkbox"
                checked={quiet}
                onChange={(event) => {
                  setSaved(false);
                  setQuiet((event.target as HTMLInputElement).checked);
                }}
              />
              {t("acct.nset.quiet.on")}
            </label>
            {quiet && (
              <>
                <Field label={t("acct.nset.quiet.start")} type="time" value={start} required onInput={(e) => setStart((e.target as HTMLInputElement).value)} />
                <Field label={t("acct.nset.quiet.end")} type="time" value={end} required onInput={(e) => setEnd((e.target as HTMLInputElement).value)} />
              </>
            )}
          </fieldset>
          <ErrorMessage error={save.error} />
          <Button type="submit" busy={save.busy}>
            {t("acct.nset.save")}
          </Button>
          {saved && (
            <p role="status" class="notice">
              {t("acct.nset.saved")}
            </p>
          )}
        </form>
      )}
    </Page>
  );
}
