/** Other users' public names (`GET /users/{id}`), fetched once per page load. */
import { api } from "../../lib/api";

export interface PublicProfile {
  id: string;
  fullName?: string | null;
  role: string;
  district?: string | null;
}

const cache = new Map<string, Promise<PublicProfile | null>>();

export function person(id: string): Promise<PublicProfile | null> {
  let found = cache.get(id);
  if (!found) {
    found = api.get<PublicProfile>(`/users/${encodeURIComponent(id)}`).catch(() => {
      cache.delete(id);
      return null;
    });
    cache.set(id, found);
  }
  return found;
}

export interface Message {
  id: string;
  conversation_id: string;
  sender_id: string;
  recipient_id: string;
  text: string;
  masked: boolean;
  listing_id?: string | null;
  created_at: string;
}

export interface Conversation {
  id: string;
  other_user_id: string;
  last_message_at: string;
  last_text: string;
  last_sender_id: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
