/**
 * Every address no other route claims: a translated 404 page through the root error
 * boundary, from the loader (GET) and the action (POST) alike.
 */
export function loader() {
  throw new Response("Not found", { status: 404 });
}

export function action() {
  throw new Response("Not found", { status: 404 });
}

export default function NotFound() {
  return null;
}
