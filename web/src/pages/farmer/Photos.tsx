/** A listing's photos: shown lazily at a fixed size, and one more uploaded straight to the media
 * bucket with a labelled progress bar. */
import { useId, useState } from "preact/hooks";
import { ErrorMessage } from "../../components/ui";
import { t } from "../../lib/i18n";
import type { Listing } from "./types";
import { IMAGE_TYPES, UploadError, uploadListingPhoto } from "./upload";

export function Photos(props: { listing: Listing; onChange: () => void }) {
  const id = useId();
  const [progress, setProgress] = useState<number | null>(null); // the last upload's, kept once done
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState(false);
  const images = props.listing.images ?? [];

  async function pick(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError(null);
    setDone(false);
    setProgress(null);
    setBusy(true);
    try {
      await uploadListingPhoto(props.listing.id, file, setProgress);
      setDone(true);
      props.onChange();
    } catch (err) {
      setError(err as Error);
      setProgress(null);
    } finally {
      setBusy(false);
      input.value = "";
    }
  }

  const message =
    error instanceof UploadError
      ? error.reason === "type"
        ? t("farm.photos.badType")
        : error.reason === "size"
          ? t("farm.photos.tooBig", { mb: Math.floor(error.maxBytes / 1_000_000) })
          : t("farm.photos.failed")
      : null;

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t("farm.photos.title")}</h2>
      {images.length === 0 ? (
        <p class="empty">{t("farm.photos.none")}</p>
      ) : (
        <ul class="photos">
          {images.map((src, i) => (
            <li key={src}>
              <img src={src} alt={t("farm.photos.alt", { n: i + 1, title: props.listing.title })} loading="lazy" width={320} height={240} />
            </li>
          ))}
        </ul>
      )}
      {props.listing.status !== "deleted" && (
        <div class="field upload">
          <label for={`${id}-file`}>{t("farm.photos.add")}</label>
          <input id={`${id}-file`} type="file" accept={IMAGE_TYPES.join(",")} onChange={pick} disabled={busy} />
          {progress !== null && (
            <>
              <label for={`${id}-progress`}>{t("farm.photos.progress")}</label>
              <progress id={`${id}-progress`} max={100} value={Math.round(progress * 100)}>
                {Math.round(progress * 100)}%
              </progress>
            </>
          )}
        </div>
      )}
      {done && (
        <p class="notice" role="status">
          {t("farm.photos.done")}
        </p>
      )}
      {message ? (
        <p class="error" role="alert">
          {message}
        </p>
      ) : (
        <ErrorMessage error={error} />
      )}
    </section>
  );
}
