// fetchIter() and fetchMessages() keep nothing of a response once it is handed over: a caller
// that dropped a 5 MB message does not keep paying for it while the next one arrives (with
// async generators in between, the last one stayed referenced; on Bun a `source` FETCH of 20 x
// 5 MB then took ~10 MiB more and ~10% more time, bench/RESULTS.md, twelfth session). Checked
// with a full collection forced in a child process, against a scripted server that pauses
// between two responses (timing a real server does not give).

import assert from "node:assert/strict";
import { denoOnly, test } from "./_harness.ts";

// Deno's subprocess API: a child Deno with V8's gc() exposed.
test(
  "fetchIter() and fetchMessages() hold no response they handed over while the next arrives",
  async () => {
    const child = new URL("./_retention_child.ts", import.meta.url);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--v8-flags=--expose-gc", child.pathname],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const result = JSON.parse(new TextDecoder().decode(out.stdout).trim());
    assert.deepEqual(result, { fetchIter: "collected", fetchMessages: "collected" });
  },
  denoOnly,
);
