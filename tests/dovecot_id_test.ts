// ID (RFC 2971) against the real Dovecot: before and after login.

import assert from "node:assert/strict";
import { id } from "../mod.ts";
import { test } from "./_harness.ts";
import { connect, dovecot } from "./_dovecot.ts";

test("dovecot: id sends the client's fields and returns Dovecot's", async () => {
  await using M = await connect();
  assert.ok(M.capabilities.includes("ID"));
  const server = await id(M, { name: "imaplib-ts", version: "0.1.0", "support-url": null });
  assert.equal(server?.name, "Dovecot");
  const { user, password } = dovecot().users[0];
  await M.login(user, password);
  const again = await id(M, null);
  assert.equal(again?.name, "Dovecot");
  assert.equal(M.state, "AUTH");
});
