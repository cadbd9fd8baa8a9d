/** The live channel: one WebSocket to the WebSocket API while signed in (`?token=<access token>`,
 * the API's documented way to authenticate a browser's handshake), reconnecting with backoff.
 * Pages subscribe to the messages they care about (`onLive(fn)`) and unsubscribe on unmount. */
import { signal } from "@preact/signals";
import { accessToken } from "./auth";
import { config } from "./config";

export type LiveMessage = { type?: string; [key: string]: unknown };
type Listener = (message: LiveMessage) => void;

const listeners = new Set<Listener>();
export const liveConnected = signal(false);
let socket: WebSocket | null = null;
let retry = 0;
let wanted = false;
let timer: ReturnType<typeof setTimeout> | null = null;

export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function sendLive(message: Record<string, unknown>): boolean {
  if (socket?.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(message));
  return true;
}

async function open(): Promise<void> {
  const base = config().websocketUrl;
  if (!wanted || !base || socket) return;
  const token = await accessToken();
  if (!token || !wanted) return;
  const ws = new WebSocket(`${base}${base.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`);
  socket = ws;
  ws.onopen = () => {
    retry = 0;
    liveConnected.value = true;
  };
  ws.onmessage = (event) => {
    let message: LiveMessage;
    try {
      message = JSON.parse(String(event.data)) as LiveMessage;
    } catch {
      return;
    }
    for (const listener of listeners) listener(message);
  };
  ws.onclose = () => {
    socket = null;
    liveConnected.value = false;
    if (!wanted) return;
    const delay = Math.min(30_000, 1000 * 2 ** retry++) * (0.5 + Math.random() / 2);
    timer = setTimeout(() => void open(), delay);
  };
}

export function startLive(): void {
  wanted = true;
  void open();
}

export function stopLive(): void {
  wanted = false;
  if (timer) clearTimeout(timer);
  socket?.close();
  socket = null;
}
