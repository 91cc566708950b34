import type { ReactNode } from "react";

export interface CreditorContactProps {
  /** "Call Northwind Lending:" in the page's language. */
  callLabel: ReactNode;
  /** The number as people read it ("1-800-555-0199") and its `tel:` link. */
  phone: { display: string; href: string };
  /** "Open Monday to Friday, 8 a.m. to 8 p.m. Eastern." in the page's language. */
  hours?: ReactNode;
  className?: string;
}

/**
 * How to reach a person at the lender: a line with the number as a `tel:` link (one tap
 * dials it on a phone) and a line with the opening hours. The number never wraps.
 */
export function CreditorContact({ callLabel, phone, hours, className }: CreditorContactProps) {
  return (
    <div className={className ?? "creditor-contact"}>
      <p>
        {callLabel}{" "}
        <a href={phone.href} className="phone-link">
          {phone.display}
        </a>
      </p>
      {hours ? <p>{hours}</p> : null}
    </div>
  );
}
