// Browser stand-in for node:util's `inspect.custom`, the one name modules shared with the server
// use from it (a Wallet shows only its address when inspected). The symbol is Node's own
// registered symbol, so the method keeps its meaning.

/** node:util inspect: here only its `custom` symbol; inspecting values is Node's job. */
export const inspect: { readonly custom: symbol } = { custom: Symbol.for("nodejs.util.inspect.custom") };
