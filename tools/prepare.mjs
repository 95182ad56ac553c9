/**
 * @file npm's `prepare` step: builds dist/ when the package is installed from a clone (`npm install`
 * in it, a git dependency, or `npm pack`). `npm install <folder>` runs it too, but without the
 * folder's devDependencies: then there is no compiler to build with, and this stops the install
 * with what to do instead of leaving a package without dist/ (which `import "adjoint"` would
 * report as ERR_MODULE_NOT_FOUND).
 */

import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
if (!existsSync(`${root}node_modules/typescript-native/bin/tsc`)) {
  console.error(
    `adjoint: cannot build dist/ in ${root}: its development dependencies are not installed there.\n` +
      `Run \`npm install\` in that folder first (it builds dist/), or install a packed tarball:\n` +
      `  (cd ${root} && npm install && npm pack)   then   npm install ${root}adjoint-<version>.tgz`,
  );
  process.exit(1);
}
execSync("npm run build", { cwd: root, stdio: "inherit" });
