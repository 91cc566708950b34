/**
 * Documents with a hardship request or a dispute (issue 7 item 1 and 4): PDF, JPEG or PNG by
 * their first bytes, at most 5 MB each and 5 per request. A disguised file (a script named
 * .pdf, sent as application/pdf) is refused with a message on the field and nothing stored,
 * by the route and by the database; a dispute with a bad file is not opened; the owner
 * downloads their document as an attachment that the browser must not sniff; another
 * borrower gets a 404.
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { loader as documentLoader } from "~/routes/account.$accountId.documents.$documentId";
import { action as disputeAction } from "~/routes/account.$accountId.dispute";
import { action as stepAction } from "~/routes/account.$accountId.help.$step";
import { rpc } from "~/services/supabase/rpc.server";
import { saveHardshipStep } from "~/utils/hardship.server";
import { ALEX } from "../setup/accounts";
import { testDb } from "../setup/db";
import { withLocalEmail } from "../setup/env";
import { hintOf } from "../setup/rpc-errors";
import { call, context, req, signIn, type Jar } from "../setup/routes";

withLocalEmail();

const DEMO_1001 = "a0000000-0000-4000-8000-000000001001";
const ALEX_DOB = { "dob.month": "4", "dob.day": "12", "dob.year": "1985" };
const MARIA_DOB = { "dob.month": "11", "dob.day": "3", "dob.year": "1979" };

const PDF = new TextEncoder().encode("%PDF-1.4\n% a letter\n");
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const SCRIPT = new TextEncoder().encode("#!/bin/sh\necho not a pdf\n");

/** A multipart POST as a browser sends it, with the borrower's cookies. */
function multipart(jar: Jar, path: string, fields: Record<string, string>, files: Array<{ name: string; bytes: Uint8Array; type: string }>): Request {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append("document", new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type }));
  return new Request(`http://localhost:3000${path}`, { method: "POST", body: form, headers: { Cookie: jar.header(), "Accept-Language": "en" } });
}

const upload = (jar: Jar, files: Array<{ name: string; bytes: Uint8Array; type: string }>, intent = "add") =>
  call(() => stepAction({ request: multipart(jar, `/account/${DEMO_1001}/help/documents`, { intent }, files), params: { accountId: DEMO_1001, step: "documents" }, context }));

async function documents() {
  const { rows } = await testDb().query<{ id: string; filename: string; content_type: string; dispute_id: string | null }>(
    "select id, filename, content_type, dispute_id from app.request_documents order by created_at",
  );
  return rows;
}

describe("documents", () => {
  test("a PDF or PNG is kept; a disguised file, an empty one or a sixth is refused with a message, nothing stored", async () => {
    const jar = await signIn("DEMO-1001", ALEX_DOB);
    await saveHardshipStep(ALEX, DEMO_1001, { step: "reasons", reasons: ["job_loss"], note: null });

    const disguised = await upload(jar, [{ name: "letter.pdf", bytes: SCRIPT, type: "application/pdf" }]);
    expect(disguised.status).toBe(400);
    expect(disguised.data).toMatchObject({ errors: { document: "This file is not a PDF, JPEG or PNG. Choose another one." } });
    expect((await upload(jar, [])).data).toMatchObject({ errors: { document: "The file is empty. Choose another one." } });
    expect(await documents()).toEqual([]);

    const added = await upload(jar, [{ name: "C:\\Users\\alex\\letter.pdf", bytes: PDF, type: "application/octet-stream" }]);
    expect(added.status).toBe(303);
    expect(added.headers.get("Location")).toBe(`/account/${DEMO_1001}/help/documents`);
    for (let i = 2; i <= 5; i++) expect((await upload(jar, [{ name: `photo-${i}.png`, bytes: PNG, type: "image/png" }])).status).toBe(303);
    const sixth = await upload(jar, [{ name: "photo-6.png", bytes: PNG, type: "image/png" }]);
    expect(sixth.status).toBe(409);
    expect(sixth.data).toMatchObject({ errors: { document: "You have added 5 documents, the most we can take." } });
    const kept = await documents();
    expect(kept.map((d) => [d.filename, d.content_type])).toEqual([
      ["letter.pdf", "application/pdf"],
      ["photo-2.png", "image/png"],
      ["photo-3.png", "image/png"],
      ["photo-4.png", "image/png"],
      ["photo-5.png", "image/png"],
    ]);

    // The owner downloads it; it is an attachment the browser must not sniff.
    const download = await documentLoader({ request: req(`/account/${DEMO_1001}/documents/${kept[0]!.id}`, { jar }), params: { accountId: DEMO_1001, documentId: kept[0]!.id }, context });
    expect(download.status).toBe(200);
    expect(download.headers.get("Content-Type")).toBe("application/pdf");
    expect(download.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(download.headers.get("Content-Disposition")).toMatch(/^attachment; filename="letter.pdf"/);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(PDF);

    // Another borrower, or an id that is not one: 404.
    const maria = await signIn("DEMO-1002", MARIA_DOB);
    const other = await call(() => documentLoader({ request: req(`/account/a0000000-0000-4000-8000-000000001002/documents/${kept[0]!.id}`, { jar: maria }), params: { accountId: "a0000000-0000-4000-8000-000000001002", documentId: kept[0]!.id }, context }));
    expect(other.status).toBe(404);
    const bogus = await call(() => documentLoader({ request: req(`/account/${DEMO_1001}/documents/x`, { jar }), params: { accountId: DEMO_1001, documentId: "not-an-id" }, context }));
    expect(bogus.status).toBe(404);
  });

  test("the database checks the bytes too, and only the borrower's own requests take documents", async () => {
    // The draft the first test made (tests in a file run in order, on this file's database).
    const { rows } = await testDb().query<{ id: string }>("select id from app.hardship_requests where account_id = $1", [DEMO_1001]);
    expect(rows).toHaveLength(1);
    await testDb().query("delete from app.request_documents where hardship_request_id = $1", [rows[0]!.id]);
    const add = (borrower: string, content: Uint8Array) =>
      rpc("add_request_document", { p_borrower_id: borrower, p_kind: "hardship", p_request_id: rows[0]!.id, p_filename: "x.pdf", p_content_base64: Buffer.from(content).toString("base64") }, z.unknown());
    expect(await hintOf(add(ALEX, SCRIPT))).toBe("invalid_document");
    expect(await hintOf(add("b0000000-0000-4000-8000-000000000002", PDF))).toBe("request_not_found");
    expect(await add(ALEX, PDF)).toMatchObject({ filename: "x.pdf", content_type: "application/pdf", size_bytes: PDF.length });
  });

  test("a dispute with a disguised file is not opened; with a PNG it is, with the document", async () => {
    const jar = await signIn("DEMO-1002", MARIA_DOB);
    const account = "a0000000-0000-4000-8000-000000001002";
    const send = (files: Array<{ name: string; bytes: Uint8Array; type: string }>) =>
      call(() => disputeAction({ request: multipart(jar, `/account/${account}/dispute`, { kind: "already_paid" }, files), params: { accountId: account }, context }));
    const bad = await send([{ name: "recibo.png", bytes: SCRIPT, type: "image/png" }]);
    expect(bad.status).toBe(400);
    const { rows: none } = await testDb().query<{ n: number }>("select count(*)::int as n from app.disputes where account_id = $1", [account]);
    expect(none[0]!.n).toBe(0);
    expect((await send([{ name: "recibo.png", bytes: PNG, type: "image/png" }])).status).toBe(303);
    const { rows } = await testDb().query<{ filename: string }>("select r.filename from app.request_documents as r join app.disputes as d on d.id = r.dispute_id where d.account_id = $1", [account]);
    expect(rows).toEqual([{ filename: "recibo.png" }]);
  });
});
