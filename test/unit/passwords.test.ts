import * as bcrypt from "bcryptjs";
import { hashPassword, renderPasswordFile, saltFor } from "../../containerFiles/passwords";
import { PROJECT } from "../support/project";

const DEV = { project: PROJECT, stack: "dev" };

describe("saltFor", () => {
  it("is a bcrypt $2b$ salt of cost 10 for FTP and 5 for HTTP", () => {
    expect(saltFor(DEV, "ftp", "alice")).toMatch(/^\$2b\$10\$[./A-Za-z0-9]{22}$/);
    expect(saltFor(DEV, "http", "alice")).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{22}$/);
  });

  it("is the same for the same stack, service and user", () => {
    expect(saltFor(DEV, "ftp", "alice")).toBe(saltFor({ ...DEV }, "ftp", "alice"));
  });

  test.each([
    [DEV, "ftp", "bob"],
    [{ project: PROJECT, stack: "prod" }, "ftp", "alice"],
    [DEV, "http", "alice"],
  ] as const)("differs for %j %s %s", (stack, service, user) => {
    expect(saltFor(stack, service, user).slice(7)).not.toBe(saltFor(DEV, "ftp", "alice").slice(7));
  });

  it("keeps the FTP salt that existing stacks' hashes were made with", () => {
    // A changed salt changes every hash, and so replaces both containers on the next `pulumi up`.
    expect(saltFor(DEV, "ftp", "alice")).toBe("$2b$10$eWnWv2uaz7CcisYwEegRje");
    expect(saltFor(DEV, "http", "alice")).toBe("$2b$05$wlc1ImEoSIOB0TKbvl8aN.");
  });
});

describe("hashPassword", () => {
  const salt = saltFor(DEV, "ftp", "alice");
  const hash = hashPassword("correct horse battery", salt);

  // The one check of bcryptjs itself: the hash made with our salt verifies with the library.
  it("verifies the password and rejects another", () => {
    expect(bcrypt.compareSync("correct horse battery", hash)).toBe(true);
    expect(bcrypt.compareSync("correct horse batterz", hash)).toBe(false);
  });
});

describe("renderPasswordFile", () => {
  it("writes one name:hash line per user, sorted by name", () => {
    expect(
      renderPasswordFile([
        { name: "zed", hash: "$2b$10$z" },
        { name: "amy", hash: "$2b$10$a" },
      ]),
    ).toBe("amy:$2b$10$a\nzed:$2b$10$z\n");
  });
});
