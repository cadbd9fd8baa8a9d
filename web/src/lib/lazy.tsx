import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ErrorMessage, Loading } from "../components/ui";
import { OfflineError } from "./api";

const loaded = new Map<unknown, ComponentType<Record<string, unknown>>>();

/** Render a page whose module is loaded on first visit (a chunk of its own). */
export function LazyPage(props: { load: () => Promise<{ default: ComponentType<any> }>; params: Record<string, string> }) {
  const [Component, setComponent] = useState<ComponentType<Record<string, unknown>> | undefined>(() => loaded.get(props.load));
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (loaded.has(props.load)) {
      setComponent(() => loaded.get(props.load));
      return;
    }
    let live = true;
    props.load().then(
      (module) => {
        sessionStorage.removeItem("soko.reloaded");
        loaded.set(props.load, module.default);
        if (live) setComponent(() => module.default);
      },
      () => {
        // Online, a page's chunk that cannot load belongs to an older build that a new one replaced
        // (its service worker took over): reload once into the new build. Offline, say so.
        if (navigator.onLine && !sessionStorage.getItem("soko.reloaded")) {
          sessionStorage.setItem("soko.reloaded", "1");
          location.reload();
          return;
        }
        if (live) setError(new OfflineError());
      },
    );
    return () => void (live = false);
  }, [props.load]);
  if (error) return <ErrorMessage error={error} />;
  return Component ? <Component {...props.params} /> : <Loading />;
}
