/** Links other areas use to open a conversation: a buyer writing to a farmer from a listing
 * (`<Link href={messageLink(listing.farmer_id, listing.id)}>`). The recipient (and the listing the
 * message is about) are path segments, so the link works from wouter's `Link` and from a plain
 * `<a href="#/messages/new/...">` alike. */
export function messageLink(userId: string, listingId?: string | null): string {
  const base = `/messages/new/${encodeURIComponent(userId)}`;
  return listingId ? `${base}/${encodeURIComponent(listingId)}` : base;
}

/** The same as an `href` for a plain anchor. */
export function messageHref(userId: string, listingId?: string | null): string {
  return `#${messageLink(userId, listingId)}`;
}
