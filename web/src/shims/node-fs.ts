// Browser stand-in for the node:fs functions that src/chain/wallet.ts imports (keypair files): a
// page has no file system, so each one throws. The dashboard reads a keypair file through the
// page's file input instead (web/src/wallet/keypair-signer.ts).

function noFileSystem(name: string): never {
  throw new Error(`${name}: a browser has no file system; import a keypair file through the page instead`);
}

/** Throws: no file system in a browser. */
export function readFileSync(): never {
  return noFileSystem("readFileSync");
}

/** Throws: no file system in a browser. */
export function writeFileSync(): never {
  return noFileSystem("writeFileSync");
}

/** Throws: no file system in a browser. */
export function statSync(): never {
  return noFileSystem("statSync");
}

/** Throws: no file system in a browser. */
export function chmodSync(): never {
  return noFileSystem("chmodSync");
}
