#!/usr/bin/env node
// Reads one `<bcrypt salt> <password>` line per user on stdin and prints each password's bcrypt
// hash with its salt, one per line, in the same order. PasswordHashes
// (components/passwordHashes.ts) runs it once per bucket of users, so the hashes are kept in the
// stack's state (as secrets) instead of being computed again on every `pulumi up`. Passwords
// contain no line breaks (spec/schema.ts); everything after the first space is the password.
"use strict";
const bcrypt = require("bcryptjs");

const LINE = /^(\$2b\$\d\d\$[./A-Za-z0-9]{22}) (.*)$/s;

function usage() {
  process.stderr.write("usage: node scripts/bcrypt.js < lines of '<bcrypt salt> <password>'\n");
  process.exit(2);
}

const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const input = Buffer.concat(chunks).toString("utf8").replace(/\n$/, "");
  if (input === "") usage();
  const hashes = input.split("\n").map((line) => {
    const m = LINE.exec(line);
    if (!m) usage();
    return bcrypt.hashSync(m[2], m[1]);
  });
  process.stdout.write(hashes.join("\n"));
});
