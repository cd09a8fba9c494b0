/** YAML and Markdown files imported as text (esbuild `text` loader; a Vite plugin in tests). */
declare module '*.yaml' {
  const text: string;
  export default text;
}

declare module '*.lua' {
  const text: string;
  export default text;
}
