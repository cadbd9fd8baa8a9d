/** The few building blocks every page uses: labelled fields, buttons, errors, states. */
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useId } from "preact/hooks";
import { ApiError, OfflineError } from "../lib/api";
import { dateTime } from "../lib/format";
import { lang, t } from "../lib/i18n";

export function Page(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Soko`;
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

type InputProps = JSX.HTMLAttributes<HTMLInputElement> & { value?: string | number; type?: string; name?: string; required?: boolean; min?: number | string; max?: number | string; step?: number | string; autoComplete?: string; inputMode?: string; pattern?: string; maxLength?: number; placeholder?: string; disabled?: boolean };

export function Field(props: { label: string; error?: string; hint?: string } & InputProps) {
  const id = useId();
  const { label, error, hint, ...input } = props;
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

export function TextArea(props: { label: string; error?: string; value?: string; name?: string; required?: boolean; maxLength?: number; rows?: number; onInput?: JSX.GenericEventHandler<HTMLTextAreaElement> }) {
  const id = useId();
  const { label, error, ...rest } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} {...rest} />
      {error && <small class="field-error">{error}</small>}
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function Select(props: { label: string; value?: string; name?: string; options: Option[]; required?: boolean; error?: string; placeholder?: string; onChange?: JSX.GenericEventHandler<HTMLSelectElement> }) {
  const id = useId();
  const { label, options, error, placeholder, ...rest } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} {...rest}>
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error && <small class="field-error">{error}</small>}
    </div>
  );
}

export function Button(props: JSX.HTMLAttributes<HTMLButtonElement> & { busy?: boolean; kind?: "primary" | "secondary" | "danger"; type?: "button" | "submit"; disabled?: boolean }) {
  const { busy, kind = "primary", children, disabled, type = "button", ...rest } = props;
  return (
    <button type={type} class={`btn btn-${kind}`} disabled={disabled || busy} aria-busy={busy ? true : undefined} {...rest}>
      {busy ? t("common.wait") : children}
    </button>
  );
}

/** The API's own message (what is wrong), or a plain one for the network; never a stack trace. */
export function ErrorMessage(props: { error: Error | null | undefined }) {
  if (!props.error) return null;
  const err = props.error;
  const text =
    err instanceof ApiError || err instanceof OfflineError ? err.message : t("error.unexpected");
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status">
      {t("common.loading")}
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

/** Shown above data that came from the offline copy. */
export function SavedNotice(props: { savedAt: string | null }) {
  if (!props.savedAt) return null;
  return (
    <p class="notice" role="status">
      {t("offline.saved", { when: dateTime(props.savedAt, lang.value) })}
    </p>
  );
}

export function Status(props: { value: string }) {
  return <span class={`status status-${props.value}`}>{t(`status.${props.value}`)}</span>;
}

/** A table that may be wider than a phone: it scrolls sideways inside the page, and the scrolling
 * region can be reached and scrolled with the keyboard (focusable, named by `label`). */
export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}
