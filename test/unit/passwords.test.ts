import * as bcrypt from "bcryptjs";
import { hashPassword, passwordSalt, renderPasswordFile } from "../../components/passwords";

describe("passwordSalt", () => {
  it("is a bcrypt $2b$ salt of cost 10", () => {
    expect(passwordSalt("video-server/dev", "alice")).toMatch(/^\$2b\$10\$[./A-Za-z0-9]{22}$/);
  });

  it("is the same for the same stack and user", () => {
    expect(passwordSalt("video-server/dev", "alice")).toBe(passwordSalt("video-server/dev", "alice"));
  });

  test.each([
    ["video-server/dev", "bob"],
    ["video-server/prod", "alice"],
  ])("differs for %s %s", (scope, user) => {
    expect(passwordSalt(scope, user)).not.toBe(passwordSalt("video-server/dev", "alice"));
  });
});

describe("hashPassword", () => {
  const salt = passwordSalt("video-server/dev", "alice");
  const hash = hashPassword("correct horse battery", salt);

  it("verifies the password and rejects another", () => {
    expect(bcrypt.compareSync("correct horse battery", hash)).toBe(true);
    expect(bcrypt.compareSync("correct horse batterz", hash)).toBe(false);
  });

  it("gives the same hash for the same password and salt", () => {
    expect(hashPassword("correct horse battery", salt)).toBe(hash);
  });

  it("does not contain the password", () => {
    expect(hash).not.toContain("correct");
  });
});

describe("renderPasswordFile", () => {
  it("writes one name:hash line per user, sorted by name", () => {
    expect(renderPasswordFile([{ name: "zed", hash: "$2b$10$z" }, { name: "amy", hash: "$2b$10$a" }])).toBe(
      "amy:$2b$10$a\nzed:$2b$10$z\n",
    );
  });
});
