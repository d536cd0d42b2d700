// Where the V8 code cache of the CLI script (dist/bundle/cli.cjs) is, for the Node.js running.
const { statSync } = require('node:fs');
const { join } = require('node:path');

/**
 * V8 takes a cache saved by another Node.js whose V8 has the same version number, and then runs
 * bytecode made for another build: Node 20.18 and 20.20 share V8 11.3.244.8 but not Node's
 * patches to it, and each crashed at start on the cache the other saved. So a cache is named by
 * the script it was saved for (the build id on the script's first line) and by the Node.js that
 * saved it — version, architecture and the size of its binary, which tells builds of one version
 * apart — and only that Node.js reads it; any other compiles the script as if there were none.
 * null where the binary cannot be read (binarySize): no cache then.
 */
function codeCacheFile(dir, source) {
  const build = source.slice(2, source.indexOf('\n'));
  const size = binarySize();
  return size === null ? null : join(dir, `cli.${build}.node-${process.version}-${process.arch}-${size}.cache`);
}

/**
 * The size of the running Node.js binary, or null where it cannot be read: Node's permission
 * model reading only the tool's folder (`--allow-fs-read=…/twogenerals/`) refuses the binary's
 * stat, which stopped every command with a stack trace (ERR_ACCESS_DENIED, exit 1) before it
 * began. There no cache is read: the script compiles as it would without one.
 */
function binarySize() {
  try {
    return statSync(process.execPath).size;
  } catch {
    return null;
  }
}

module.exports = { codeCacheFile };
