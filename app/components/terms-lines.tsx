export interface TermsLinesProps {
  /** The exact lines the borrower agrees to (or agreed to), in order. */
  lines: readonly string[];
  /** Where the payment lines are: the heading line's index and how many payment lines follow it. */
  payments?: { headingIndex: number; count: number } | null;
}

/**
 * Terms exactly as the consent record stores them: one paragraph per line, with the payment
 * lines ("Dec 27, 2026: $100.00") as a list under their heading, so a long schedule reads as
 * one. The words are never changed here: what is shown is what is hashed.
 */
export function TermsLines({ lines, payments }: TermsLinesProps) {
  if (!payments || payments.headingIndex < 0 || payments.headingIndex + payments.count >= lines.length) {
    return (
      <div className="terms__lines">
        {lines.map((line, index) => (
          <p key={index}>{line}</p>
        ))}
      </div>
    );
  }
  const { headingIndex, count } = payments;
  const before = lines.slice(0, headingIndex);
  const listed = lines.slice(headingIndex + 1, headingIndex + 1 + count);
  const after = lines.slice(headingIndex + 1 + count);
  return (
    <div className="terms__lines">
      {before.map((line, index) => (
        <p key={`b${index}`}>{line}</p>
      ))}
      <p className="terms__payments-heading">{lines[headingIndex]}</p>
      <ul className="terms__payments">
        {listed.map((line, index) => (
          <li key={index}>{line}</li>
        ))}
      </ul>
      {after.map((line, index) => (
        <p key={`a${index}`}>{line}</p>
      ))}
    </div>
  );
}
