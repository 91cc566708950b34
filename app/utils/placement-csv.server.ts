/**
 * Writing CSV for the lender and for staff (the import's error report, the export): RFC 4180
 * quoting, CRLF line ends, a UTF-8 byte-order mark first so spreadsheets read accents right,
 * and cells that a spreadsheet would run as a formula (= + - @ tab CR first) defused with a
 * leading apostrophe (OWASP "CSV injection"). Streams: rows are pulled page by page and
 * written as they come, so a large report never sits whole in memory.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: quoted when it holds a comma, a quote or a line break; formulas defused. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  // A signed number is data, not a formula; anything else starting like one is defused.
  if (typeof value !== "number" && FORMULA_START.test(text) && !/^-\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/**
 * A CSV body: the BOM and header, then each line `rows` yields, pulled as the client reads.
 * An error part-way ends the download with a last line saying so (the status was sent).
 */
export function csvStream(header: readonly string[], rows: AsyncIterable<readonly (string | number | null | undefined)[]>, failedLine: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${csvLine(header)}`));
        return;
      }
      // A few hundred lines per pull keeps the number of chunks small.
      let chunk = "";
      try {
        for (let i = 0; i < 500; i++) {
          const next = await iterator.next();
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += csvLine(next.value);
        }
      } catch {
        controller.enqueue(encoder.encode(chunk + csvLine([failedLine])));
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

export function csvHeaders(fileName: string): HeadersInit {
  return {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
    "Cache-Control": "no-store",
  };
}
