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
    // Extension host: runs in VS Code's own Node, so no native module; the library only as types
    // (heavy work goes through the CLI or the kernel bridge as child processes).
    files: ["extension/src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: ["zeromq", "sharp", "onnxruntime-node", "@tensorflow/tfjs-node", "pg", "ioredis", "bullmq", "trainset"].map((name) => ({ name, message: "The extension host loads no native module or library code: spawn the trainset CLI or kernel bridge." })),
          patterns: [
            { group: ["**/kernel/src/**"], allowTypeImports: true, message: "Import only types from kernel/src in the extension host." },
            { group: ["**/webviews/src/*", "!**/webviews/src/protocol"], allowTypeImports: true, message: "The host shares only webviews/src/protocol with webviews." },
          ],
        },
      ],
    },
  },
  {
    // Webviews: browser code; never vscode, never Node, only the protocol and library types.
    files: ["webviews/src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [{ name: "vscode", message: "Webviews talk to the host through webviews/src/protocol messages." }],
          patterns: [
            { group: ["node:*", "fs", "path", "child_process", "os", "crypto"], message: "Webviews run in a browser: no Node modules." },
            { group: ["**/extension/**"], message: "Webviews never import the extension host." },
            { group: ["**/kernel/src/**", "trainset"], allowTypeImports: true, message: "Webviews import only types from the library." },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
