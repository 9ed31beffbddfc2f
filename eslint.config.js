// Flat config: type-aware typescript-eslint plus the layer rules from STYLE.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "node_modules/**", "demo-workspace/**", "bench/.work/**", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "ThrowStatement > Literal", message: "Throw Error objects, not literals." },
      ],
    },
  },
  {
    // The library is the bottom layer: it never reaches up into the editor side.
    files: ["kernel/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["vscode"], message: "kernel/src must not import vscode (see STYLE.md)." },
            { group: ["**/extension/**", "**/webviews/**"], message: "kernel/src must not import the extension or webviews." },
          ],
        },
      ],
      "no-console": ["error"],
    },
  },
  {
    // The CLI is the one place in the library that prints.
    files: ["kernel/src/cli/**/*.ts"],
    rules: { "no-console": "off" },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
