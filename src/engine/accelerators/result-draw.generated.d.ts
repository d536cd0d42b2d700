// Types of the module that scripts/generate-wasm.ts writes next to the compiled output.

/** The result draw (result-draw.wat) as a WebAssembly binary, base64-encoded. */
declare const wasm: string;
export default wasm;
