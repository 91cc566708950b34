import { checkHealth } from "~/services/supabase/rpc.server";

/**
 * For load balancers and deploy checks: is the database reachable, and are all the
 * migrations this build expects applied? 200 when both, 503 otherwise. No personal data.
 */
export async function loader() {
  const health = await checkHealth();
  const ok = health.database && health.migrations.current;
  return Response.json(
    {
      status: ok ? "ok" : "unavailable",
      database: health.database ? "reachable" : "unreachable",
      migrations: {
        current: health.migrations.current,
        pending: health.migrations.expected.filter((v) => !health.migrations.applied.includes(v)),
      },
    },
    { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
