/**
 * "Earlier contacts" on the console's review pages (issue 8 item 3, issue 9 item 8): the
 * borrower's latest messages from us, a line each (when, which message, its state and what
 * else applies), and the way to the whole history on the account page. The loader formats
 * every value (contactHistory); this only places them (namespace `ops`).
 */
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

export interface OpsEarlierContactsProps {
  /** Newest first. */
  contacts: Array<{ id: string; when: string; what: string; stateLabel: string; detail: string }>;
  accountId: string;
}

export function OpsEarlierContacts({ contacts, accountId }: OpsEarlierContactsProps) {
  const { t } = useTranslation("ops");
  return (
    <section aria-labelledby="contacts-title">
      <h2 id="contacts-title">{t("earlierContacts.title")}</h2>
      {contacts.length === 0 ? (
        <p>{t("earlierContacts.none")}</p>
      ) : (
        <ul>
          {contacts.map((c) => (
            <li key={c.id}>
              {c.when} · {c.what} · {c.stateLabel}
              {c.detail ? ` (${c.detail})` : null}
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to={`/ops/accounts/${accountId}`}>{t("earlierContacts.all")}</Link>
      </p>
    </section>
  );
}
