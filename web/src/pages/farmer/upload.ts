/** A photo straight to the media bucket: the API answers a presigned POST form
 * (`POST /listings/{id}/images`), and the browser posts the file to the bucket's own origin with
 * XMLHttpRequest (fetch cannot report upload progress). The bucket's CORS rules allow the app's
 * origin (template.yaml, MediaBucket). */
import { api, OfflineError } from "../../lib/api";
import { online } from "../../lib/offline";

export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"];

export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  key: string;
  max_bytes: number;
  expires_in: number;
}

export class UploadError extends Error {
  constructor(
    readonly reason: "type" | "size" | "failed",
    readonly maxBytes = 0,
  ) {
    super(reason);
    this.name = "UploadError";
  }
}

/** The form's fields, then the file last (S3 ignores fields after the file). */
export function uploadBody(form: UploadForm, file: Blob): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append("file", file);
  return body;
}

export function postForm(form: UploadForm, file: Blob, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else reject(new UploadError("failed"));
    };
    xhr.onerror = () => {
      if (!navigator.onLine) {
        online.value = false;
        reject(new OfflineError());
      } else reject(new UploadError("failed"));
    };
    xhr.send(uploadBody(form, file));
  });
}

/** Ask for the form, then post the file; `onProgress` gets 0..1. Returns the object's key. */
export async function uploadListingPhoto(listingId: string, file: File, onProgress: (fraction: number) => void): Promise<string> {
  if (!IMAGE_TYPES.includes(file.type)) throw new UploadError("type");
  const form = await api.post<UploadForm>(`/listings/${encodeURIComponent(listingId)}/images`, { content_type: file.type });
  if (file.size > form.max_bytes) throw new UploadError("size", form.max_bytes);
  onProgress(0);
  await postForm(form, file, onProgress);
  return form.key;
}
