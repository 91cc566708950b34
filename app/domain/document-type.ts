/**
 * What a file really is, from its first bytes (never from its name or the type the browser
 * claims): the documents a borrower may send with a request are PDF, JPEG or PNG, at most
 * 5 MB each and 5 per request. The database checks the same bytes again.
 */
export const DOCUMENT_TYPES = ["application/pdf", "image/jpeg", "image/png"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
export const MAX_DOCUMENTS_PER_REQUEST = 5;

const SIGNATURES: ReadonlyArray<readonly [DocumentType, readonly number[]]> = [
  ["application/pdf", [0x25, 0x50, 0x44, 0x46, 0x2d]], // %PDF-
  ["image/jpeg", [0xff, 0xd8, 0xff]],
  ["image/png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
];

/** The document type the bytes start with, or null. */
export function sniffDocumentType(bytes: Uint8Array): DocumentType | null {
  for (const [type, signature] of SIGNATURES) {
    if (bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte)) return type;
  }
  return null;
}

export type DocumentCheck = { ok: true; type: DocumentType } | { ok: false; reason: "empty" | "too_large" | "not_allowed" };

/** Whether a file may be sent: not empty, at most 5 MB, and really a PDF, JPEG or PNG. */
export function checkDocument(bytes: Uint8Array): DocumentCheck {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  if (bytes.length > MAX_DOCUMENT_BYTES) return { ok: false, reason: "too_large" };
  const type = sniffDocumentType(bytes);
  return type ? { ok: true, type } : { ok: false, reason: "not_allowed" };
}
