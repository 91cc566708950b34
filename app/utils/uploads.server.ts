/**
 * Reading a form that may carry documents (multipart/form-data): files are kept in memory up
 * to 5 MB each (a bigger one stops the read: the borrower is told, nothing is stored), plain
 * fields as usual. A form sent without files (urlencoded) reads the same way.
 */
import { MaxPartSizeExceededError, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData } from "@remix-run/node";
import { MAX_DOCUMENT_BYTES } from "~/domain/document-type";

export type UploadForm = { ok: true; form: FormData } | { ok: false; reason: "too_large" | "unreadable" };

export async function readUploadForm(request: Request): Promise<UploadForm> {
  const type = request.headers.get("content-type") ?? "";
  try {
    if (!type.startsWith("multipart/form-data")) return { ok: true, form: await request.formData() };
    const form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: MAX_DOCUMENT_BYTES }));
    return { ok: true, form };
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return { ok: false, reason: "too_large" };
    return { ok: false, reason: "unreadable" };
  }
}

/** The non-empty files of a field (a file input left empty sends an empty, nameless part). */
export function filesOf(form: FormData, name: string): File[] {
  return form.getAll(name).filter((value): value is File => typeof value === "object" && value !== null && "arrayBuffer" in value && value.size > 0);
}
