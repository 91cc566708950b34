/**
 * "Sign out", for the site header while a borrower is signed in: a plain form posting to
 * /sign-out (sign-out is never a GET), so it works without JavaScript. The label comes
 * translated from the root loader, so every page can show it without shipping a namespace.
 */
export function SignOutForm({ label }: { label: string }) {
  return (
    <form method="post" action="/sign-out" className="sign-out-form">
      <input type="hidden" name="intent" value="this" />
      <button type="submit" className="link-button">
        {label}
      </button>
    </form>
  );
}
