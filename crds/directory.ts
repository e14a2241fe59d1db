// Where the CRD YAML lives: next to this file, whether run from the checkout or an installed package.
import { fileURLToPath } from "node:url";

export const CRD_DIRECTORY = fileURLToPath(new URL(".", import.meta.url));
