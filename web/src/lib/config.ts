/** Where the API and the WebSocket API are. `GET /config.json` is written at deploy time (and
 * served by the local runtime); without it the API is this origin and there is no live channel. */
export interface AppConfig {
  apiBaseUrl: string;
  websocketUrl: string | null;
  stage: string;
}

let current: AppConfig = { apiBaseUrl: "", websocketUrl: null, stage: "unknown" };

export function config(): AppConfig {
  return current;
}

export function setConfig(value: Partial<AppConfig>): void {
  current = { ...current, ...value };
}

export async function loadConfig(): Promise<AppConfig> {
  try {
    const response = await fetch("/config.json", { cache: "no-cache" });
    if (response.ok) {
      const body = (await response.json()) as Partial<AppConfig>;
      setConfig({
        apiBaseUrl: (body.apiBaseUrl ?? "").replace(/\/$/, ""),
        websocketUrl: body.websocketUrl ?? null,
        stage: body.stage ?? "unknown",
      });
    }
  } catch {
    // offline first start: the service worker serves the cached config; failing that, same origin
  }
  return current;
}
