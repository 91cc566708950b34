import { isRpcError } from "~/services/supabase/rpc.server";

/** The hint (machine reason) of the RpcError the call throws; null when it does not throw. */
export async function hintOf(call: Promise<unknown>): Promise<string | null> {
  try {
    await call;
  } catch (error) {
    if (isRpcError(error)) return error.hint;
    throw error;
  }
  return null;
}
