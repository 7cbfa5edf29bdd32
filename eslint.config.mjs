import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ["node_modules/**", ".next/**", ".next-*/**", "drizzle/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "e2e/artifacts/**"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        {
          // A transaction is already a DbOrTx (db/client.ts): take that type instead of casting.
          selector: "TSAsExpression[typeAnnotation.typeName.name=/^(Db|DbOrTx|Tx)$/]",
          message: "Do not cast to Db: type the parameter as DbOrTx (db/client.ts), which a transaction already is.",
        },
      ],
    },
  },
  {
    // Areas import downward only (STYLE.md, "Layering"); a cycle means wiring or a shared type is
    // in the wrong place. import-x with the unrs-based resolver keeps this check to seconds.
    files: ["**/*.ts", "**/*.tsx"],
    plugins: { "import-x": importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      "import-x/resolver": undefined,
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    // The layering that no-cycle alone cannot see (each arrow was an area cycle once), and test
    // helpers kept out of production code. Tests and test helpers may reach across. One block,
    // because a second block setting this rule would replace these zones, not add to them.
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["**/*.test.ts", "**/*.test.tsx", "lib/**/testing/**", "db/test-db.ts"],
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              // Test helpers live in lib/<area>/testing/ (the one convention); tests, e2e/ and
              // scripts/ (benches) may use them, nothing that ships may.
              target: ["./app", "./components", "./lib", "./db", "./server.ts"],
              from: "./lib/**/testing/**",
              message: "Test helpers (lib/<area>/testing/) are for tests, e2e and scripts only.",
            },
            {
              target: ["./app", "./components", "./lib", "./db", "./server.ts"],
              from: "./db/test-db.ts",
              message: "db/test-db.ts makes throwaway databases for tests; production opens db/client.ts.",
            },
            {
              target: ["./lib/!(server)/**/*", "./lib/*.ts"],
              from: "./lib/server",
              message: "Wiring lives at the top (lib/server, server.ts): an area never imports it.",
            },
            {
              target: "./lib/http",
              from: "./lib",
              except: ["./http", "./errors.ts", "./log.ts"],
              message: "lib/http holds HTTP primitives only; wire areas together in lib/server.",
            },
            {
              target: "./lib/metrics",
              from: "./lib/ingestion",
              message: "Ingestion calls metrics (the rollup queue), never the reverse; shared event types are in lib/events.",
            },
            {
              target: "./lib/projects/*.ts",
              from: "./lib/auth",
              message: "Projects sit below auth (auth checks memberships); only lib/projects/http may call auth.",
            },
          ],
        },
      ],
    },
  },
];

export default config;
