import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

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
];

export default config;
