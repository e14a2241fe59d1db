import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { ALLOWED_IMPORTS, COMPOSITION_ROOTS, PUBLIC_ENTRIES, SOURCE_FOLDERS } from "./hack/import-rules.js";

const FORBIDDEN_TARGETS = [...SOURCE_FOLDERS, "hack", "test"];

/** One block per folder and depth: a relative import that climbs exactly to the root names a top-level folder. */
function importBoundaries() {
  const blocks = [];
  for (const [folder, allowed] of Object.entries(ALLOWED_IMPORTS)) {
    const forbidden = FORBIDDEN_TARGETS.filter((target) => target !== folder && !allowed.includes(target));
    const internals = COMPOSITION_ROOTS.includes(folder)
      ? []
      : Object.entries(PUBLIC_ENTRIES).filter(([owner]) => allowed.includes(owner));
    for (let depth = 1; depth <= 6; depth++) {
      const climb = `^(\\.\\./){${depth}}`;
      blocks.push({
        files: [`${folder}/${"*/".repeat(depth - 1)}*.ts`],
        rules: {
          "no-restricted-imports": [
            "error",
            {
              patterns: [
                {
                  regex: `${climb}(${forbidden.join("|")})/`,
                  message: `${folder}/ may import only ${allowed.join(", ") || "nothing outside itself"} (hack/import-rules.js).`,
                },
                ...internals.map(([owner, entries]) => ({
                  regex: `${climb}${owner}/(?!${entries}$)`,
                  message: `outside ${owner}/, import only its public entries ${entries} (hack/import-rules.js).`,
                })),
              ],
            },
          ],
        },
      });
    }
  }
  return blocks;
}

export default tseslint.config(
  {
    ignores: [
      ".scratch*/",
      "node_modules/",
      "coverage/",
      "dist/",
      "test-artifacts/",
      "**/*.js",
      "**/*.mjs",
      "**/*.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // @kubernetes/client-node models are classes that its API accepts as plain object literals.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...importBoundaries(),
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
