import { describe, expect, test } from "vitest";
import { checkDocument, MAX_DOCUMENT_BYTES, sniffDocumentType } from "~/domain/document-type";

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (s: string) => new TextEncoder().encode(s);

describe("what a document really is", () => {
  test("PDF, JPEG and PNG by their first bytes", () => {
    expect(sniffDocumentType(text("%PDF-1.7\n..."))).toBe("application/pdf");
    expect(sniffDocumentType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toBe("image/jpeg");
    expect(sniffDocumentType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0))).toBe("image/png");
  });

  test("a disguised file is not one: a script named .pdf, an HTML page, a GIF, a truncated signature", () => {
    expect(sniffDocumentType(text("#!/bin/sh\nrm -rf /"))).toBeNull();
    expect(sniffDocumentType(text("<html><script>alert(1)</script>"))).toBeNull();
    expect(sniffDocumentType(text("GIF89a"))).toBeNull();
    expect(sniffDocumentType(text("%PDF"))).toBeNull();
    expect(sniffDocumentType(bytes(0x89, 0x50, 0x4e, 0x47))).toBeNull();
  });

  test("empty, over 5 MB, or not allowed: refused with a reason", () => {
    expect(checkDocument(new Uint8Array())).toEqual({ ok: false, reason: "empty" });
    const big = new Uint8Array(MAX_DOCUMENT_BYTES + 1);
    big.set(text("%PDF-"));
    expect(checkDocument(big)).toEqual({ ok: false, reason: "too_large" });
    const exact = new Uint8Array(MAX_DOCUMENT_BYTES);
    exact.set(text("%PDF-"));
    expect(checkDocument(exact)).toEqual({ ok: true, type: "application/pdf" });
    expect(checkDocument(text("hello"))).toEqual({ ok: false, reason: "not_allowed" });
  });
});
