/**
 * The warning before a signed-in borrower's session ends for inactivity (issue 4 item 4).
 * JavaScript only: without it nothing shows, and the server ends the session on its own after
 * 15 minutes without a request.
 *
 * Two minutes before the end, a modal alert dialog asks "Do you need more time?". "Stay
 * signed in" posts to /session with a fetcher (the server records the activity and says how
 * long is left); "Sign out" signs out. When the time is up with no answer, it signs out with
 * reason "expired", so the page lands on /signed-out?reason=expired and nobody who picks up
 * the phone later sees the account. Every navigation (which reaches the server) restarts the
 * count.
 *
 * The count is kept from the server's "seconds left" rather than from clock times, so a
 * phone's wrong clock does not matter. A phone that sleeps runs the timers late, never early:
 * the server has already ended the session by then, and signing out again is harmless.
 */
import { useFetcher, useLocation, useSubmit } from "@remix-run/react";
import { useCallback, useEffect, useState } from "react";
import { Dialog, Heading, Modal, ModalOverlay } from "react-aria-components";
import { Button } from "./button";

export interface IdleWarningText {
  title: string;
  body: string;
  stay: string;
  signOut: string;
}

export interface IdleWarningProps {
  /** Seconds until the session ends without activity, as the server said when it rendered. */
  secondsLeft: number;
  /** How long before the end to ask (120: two minutes). */
  warnSeconds: number;
  text: IdleWarningText;
}

type SessionReply = { ok: true; secondsLeft: number } | { ok: false };

export function IdleWarning({ secondsLeft, warnSeconds, text }: IdleWarningProps) {
  const location = useLocation();
  const fetcher = useFetcher<SessionReply>();
  const submit = useSubmit();
  const [deadline, setDeadline] = useState<number | null>(null);
  const [open, setOpen] = useState(false);

  const signOut = useCallback(
    (reason?: "expired") => {
      setOpen(false);
      submit(reason ? { intent: "this", reason } : { intent: "this" }, { method: "post", action: "/sign-out" });
    },
    [submit],
  );

  // A page the server just rendered (first load or navigation) restarts the count.
  useEffect(() => {
    setDeadline(Date.now() + secondsLeft * 1000);
    setOpen(false);
  }, [location.key, secondsLeft]);

  // "Stay signed in" answered.
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    if (fetcher.data.ok) {
      setDeadline(Date.now() + fetcher.data.secondsLeft * 1000);
      setOpen(false);
    } else {
      signOut("expired");
    }
  }, [fetcher.state, fetcher.data, signOut]);

  useEffect(() => {
    if (deadline === null) return;
    const now = Date.now();
    const warn = window.setTimeout(() => setOpen(true), Math.max(0, deadline - warnSeconds * 1000 - now));
    const end = window.setTimeout(() => signOut("expired"), Math.max(0, deadline - now));
    return () => {
      window.clearTimeout(warn);
      window.clearTimeout(end);
    };
  }, [deadline, warnSeconds, signOut]);

  const stay = () => fetcher.submit({}, { method: "post", action: "/session" });

  return (
    <>
      {/* Marks the timers as armed (end-to-end tests wait for it before moving the clock). */}
      {deadline === null ? null : <span hidden data-idle-deadline={deadline} />}
      <ModalOverlay isOpen={open} isDismissable={false} isKeyboardDismissDisabled className="modal-overlay">
        <Modal className="modal">
          <Dialog role="alertdialog" className="dialog">
            <Heading slot="title" className="dialog__title">
              {text.title}
            </Heading>
            <p>{text.body}</p>
            <Button onPress={stay} isDisabled={fetcher.state !== "idle"}>
              {text.stay}
            </Button>
            <Button variant="secondary" onPress={() => signOut()}>
              {text.signOut}
            </Button>
          </Dialog>
        </Modal>
      </ModalOverlay>
    </>
  );
}
