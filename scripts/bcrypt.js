#!/usr/bin/env node
// Prints the bcrypt hash of the password on stdin with the salt given as the only argument.
// PasswordHashes (components/passwordHashes.ts) runs it once per password, so the hash is kept
// in the stack's state (as a secret) instead of being computed again on every `pulumi up`.
"use strict";
const bcrypt = require("bcryptjs");

const salt = process.argv[2];
if (!/^\$2b\$\d\d\$[./A-Za-z0-9]{22}$/.test(salt || "")) {
  process.stderr.write("usage: node scripts/bcrypt.js '<bcrypt salt>' < password\n");
  process.exit(2);
}
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () =>
  process.stdout.write(bcrypt.hashSync(Buffer.concat(chunks).toString("utf8"), salt)),
);
