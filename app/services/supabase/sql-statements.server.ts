/**
 * Splits a migration file into statements exactly as the Supabase CLI does
 * (`pkg/parser` in supabase/cli: `Split` and `SplitAndTrim`), because the CLI stores that
 * list in `supabase_migrations.schema_migrations.statements` and runs each statement on its
 * own. Our runner records and runs the very same list, so a history row written by
 * `npm run db:migrate` is indistinguishable from one written by `supabase migration up`, and
 * a file that the CLI would split wrongly fails here too instead of only in production.
 *
 * This is a faithful port of the CLI's state machine, quirks included: a `;` ends a
 * statement unless it sits in a quote, a dollar-quoted string, a comment, parentheses or a
 * `BEGIN ATOMIC … END` body; the first `)` closes every open parenthesis; `END` inside an
 * atomic body ends it even when it is the tail of a longer word. Don't "fix" these here:
 * the point is to agree with the CLI, and a migration that trips over one must be rewritten.
 */

interface State {
  /** Returns the next state, or null to end the statement at this character. */
  next(ch: string, data: Data): State | null;
}

/** The current statement so far: `text.slice(start, end)`, where `end` is just past `ch`. */
interface Data {
  text: string;
  start: number;
  end: number;
}

function endsWith(data: Data, suffix: string): boolean {
  const from = data.end - suffix.length;
  return from >= data.start && data.text.startsWith(suffix, from);
}

function endsWithIgnoreCase(data: Data, suffix: string): boolean {
  const from = data.end - suffix.length;
  return from >= data.start && data.text.slice(from, data.end).toLowerCase() === suffix.toLowerCase();
}

const BEGIN_ATOMIC = "ATOMIC";
const END_ATOMIC = "END";

/**
 * Go's `unicode.IsSpace(rune(b))` applied to the last UTF-8 byte of the character before
 * `ATOMIC`, as the CLI does (it looks at one byte, not one character).
 */
function lastByteIsSpace(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  const byte = cp < 0x80 ? cp : 0x80 | (cp & 0x3f);
  return byte === 0x09 || byte === 0x0a || byte === 0x0b || byte === 0x0c || byte === 0x0d || byte === 0x20 || byte === 0x85 || byte === 0xa0;
}

/** The character (code point) that ends just before `index` in `text`. */
function charBefore(text: string, index: number): string {
  const code = text.charCodeAt(index - 1);
  if (code >= 0xdc00 && code <= 0xdfff && index >= 2) return text.slice(index - 2, index);
  return text.slice(index - 1, index);
}

class ReadyState implements State {
  next(ch: string, data: Data): State | null {
    switch (ch) {
      case "$":
        return new TagState(data.end - 1 - data.start);
      case "'":
      case '"':
        return new QuoteState(ch);
      case "-":
        return new CommentState();
      case "/":
        return new BlockState();
      case "\\":
        return new EscapeState();
      case ";":
        return null;
      case "(":
        return new AtomicState(this, ")");
      case "c":
      case "C": {
        const from = data.end - BEGIN_ATOMIC.length;
        if (from > data.start && endsWithIgnoreCase(data, BEGIN_ATOMIC) && lastByteIsSpace(charBefore(data.text, from))) {
          return new AtomicState(this, END_ATOMIC);
        }
        return this;
      }
      default:
        return this;
    }
  }
}

class CommentState implements State {
  next(ch: string, data: Data): State | null {
    // `--` opens a line comment; nothing is escaped in it, like a dollar quote ending at \n.
    if (ch === "-") return new DollarState("\n");
    return new ReadyState().next(ch, data);
  }
}

class BlockState implements State {
  private depth = 0;
  next(ch: string, data: Data): State | null {
    if (endsWith(data, "/*")) {
      this.depth += 1;
      return this;
    }
    if (this.depth === 0) return new ReadyState().next(ch, data);
    if (endsWith(data, "*/")) {
      this.depth -= 1;
      if (this.depth === 0) return new ReadyState();
    }
    return this;
  }
}

class QuoteState implements State {
  private escape = false;
  constructor(private readonly delimiter: string) {}
  next(ch: string, data: Data): State | null {
    if (this.escape) {
      // A doubled quote ('' or "") stays inside the literal.
      if (ch === this.delimiter) {
        this.escape = false;
        return this;
      }
      return new ReadyState().next(ch, data);
    }
    if (ch === this.delimiter) this.escape = true;
    return this;
  }
}

class DollarState implements State {
  constructor(private readonly delimiter: string) {}
  next(_ch: string, data: Data): State | null {
    return endsWith(data, this.delimiter) ? new ReadyState() : this;
  }
}

class TagState implements State {
  /** Offset of the opening `$` from the start of the statement. */
  constructor(private readonly offset: number) {}
  next(ch: string, data: Data): State | null {
    if (ch === "$") return new DollarState(data.text.slice(data.start + this.offset, data.end));
    if (/^[\p{L}\p{Nd}_]$/u.test(ch)) return this;
    return new ReadyState().next(ch, data);
  }
}

class EscapeState implements State {
  next(): State | null {
    return new ReadyState();
  }
}

class AtomicState implements State {
  constructor(
    private prev: State,
    private readonly delimiter: string,
  ) {}
  next(ch: string, data: Data): State | null {
    const current = this.prev.next(ch, data);
    if (current !== null) this.prev = current;
    if (this.prev instanceof ReadyState && endsWithIgnoreCase(data, this.delimiter)) {
      return new ReadyState();
    }
    return this;
  }
}

/** The CLI's `parser.Split`: statements as written, separators and whitespace kept. */
export function splitSql(sql: string): string[] {
  const statements: string[] = [];
  let state: State = new ReadyState();
  const data: Data = { text: sql, start: 0, end: 0 };
  for (const ch of sql) {
    data.end += ch.length;
    const next = state.next(ch, data);
    if (next === null) {
      statements.push(sql.slice(data.start, data.end));
      data.start = data.end;
      state = new ReadyState();
    } else {
      state = next;
    }
  }
  if (data.start < sql.length) statements.push(sql.slice(data.start));
  return statements;
}

// Go's strings.TrimSpace: unicode.IsSpace, which (unlike JS's trim) excludes U+FEFF.
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${GO_SPACE}]+$`);

/** The CLI's `parser.SplitAndTrim`: trailing `;` removed, then whitespace; empties dropped. */
export function splitAndTrimSql(sql: string): string[] {
  return splitSql(sql)
    .map((statement) => statement.replace(/;+$/, "").replace(LEADING_SPACE, "").replace(TRAILING_SPACE, ""))
    .filter((statement) => statement.length > 0);
}
