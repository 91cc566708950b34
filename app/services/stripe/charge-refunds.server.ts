/**
 * `charge.refunded` with its refunds. Since API version 2022-11-15 a Charge no longer lists its
 * refunds (Charge.refunds is returned only when expanded, and webhook events never expand), so
 * the event says only the cumulative `amount_refunded`. Posted as it is, a partial refund
 * counted twice when its `refund.created` came after it: once in the cumulative amount, once
 * under the refund's own id (and a refund that later failed could not be taken off again).
 *
 * So, before the event is recorded, the refunds of the charge are listed from Stripe and put
 * in the event's object (`refunds.data`), as an expanded Charge would have them: every refund
 * then posts under its own id, once, whichever event comes first. An event that already lists
 * them, or a charge Stripe knows no refunds of, is left as it is (the database then counts
 * the cumulative amount, as before). Stripe unreachable: the error goes up, the webhook
 * answers 500, and Stripe delivers the event again later.
 */
import type Stripe from "stripe";
import { getStripe } from "./client.server";

/** At most this many refunds of one charge are read (Stripe pages them by 100). */
const MAX_REFUNDS = 1_000;

type ChargeObject = { id?: unknown; refunds?: { data?: unknown } | null };

export async function withChargeRefunds(event: Stripe.Event): Promise<Stripe.Event> {
  if (event.type !== "charge.refunded") return event;
  const charge = event.data.object as ChargeObject;
  if (Array.isArray(charge.refunds?.data) || typeof charge.id !== "string" || !charge.id.startsWith("ch_")) return event;
  const refunds = await getStripe().refunds.list({ charge: charge.id, limit: 100 }).autoPagingToArray({ limit: MAX_REFUNDS });
  if (refunds.length === 0) return event;
  const object = { ...charge, refunds: { object: "list", data: refunds, has_more: false, url: `/v1/charges/${charge.id}/refunds` } };
  return { ...event, data: { ...event.data, object } } as Stripe.Event;
}
