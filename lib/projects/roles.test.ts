import { describe, expect, it } from "vitest";
import { isRole, roleAtLeast, ROLES } from "./roles";

describe("roles", () => {
  it("rank admin > editor > viewer", () => {
    expect(roleAtLeast("admin", "editor")).toBe(true);
    expect(roleAtLeast("editor", "editor")).toBe(true);
    expect(roleAtLeast("viewer", "editor")).toBe(false);
    expect(roleAtLeast("editor", "admin")).toBe(false);
  });

  it("isRole accepts exactly the three roles", () => {
    for (const r of ROLES) expect(isRole(r)).toBe(true);
    for (const v of ["", "Admin", "owner", "viewer ", "__proto__"]) expect(isRole(v)).toBe(false);
  });
});
