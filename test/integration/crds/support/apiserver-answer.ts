import { ApiException } from "@kubernetes/client-node";

/** The apiserver's answer to a create: "created", or the message of the Status it refused it with. */
export async function apiserverAnswer(create: () => Promise<unknown>): Promise<string> {
  try {
    await create();
    return "created";
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === "string" ? error.body : JSON.stringify(error.body);
    try {
      return (JSON.parse(body) as { message: string }).message;
    } catch {
      return body; // Paths the apiserver does not serve answer with plain text.
    }
  }
}
